/**
 * The Parquet schema of each firehose event type, and how a stream entry becomes a row of it.
 *
 * Columns every type shares come first, then the type's own, then `extra`: a JSON object of every
 * field the schema does not name (keyed by its path, e.g. `commit.record.foo`, and `entry.seq` for
 * stream-entry fields other than `type` and `event`), so nothing a producer sends is dropped.
 * docs/stream-writer.md lists the columns.
 */

export type ColumnType = "STRING" | "INT64" | "JSON";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /**
   * False for values unique per event (IDs, text): a dictionary would hold every value once more,
   * and trying one costs time. True where values repeat (accounts, collections, subjects).
   */
  dictionary: boolean;
}

/** One row's values in column order, and its event time for the hour partition. */
export interface EventRow {
  timeUs: number;
  values: unknown[];
}

const s = (name: string, dictionary = true): ColumnSpec => ({ name, type: "STRING", dictionary });
/** JSON columns take the values themselves; the Parquet writer encodes them. */
const j = (name: string, dictionary = false): ColumnSpec => ({ name, type: "JSON", dictionary });

const COMMON: ColumnSpec[] = [
  s("stream"),
  s("stream_id", false),
  { name: "time_us", type: "INT64", dictionary: false },
  s("did"),
  s("kind"),
  s("operation"),
  s("collection"),
  s("rkey", false),
  s("rev", false),
  s("cid", false),
  s("record_type"),
  s("created_at", false),
];

interface TypeSchema {
  columns: ColumnSpec[];
  /** Record fields (`commit.record.*`) that have columns of their own. */
  recordFields: Set<string>;
  fill(record: Record<string, unknown>, extra: Record<string, unknown>, out: unknown[]): void;
}

const SUBJECT_REF: TypeSchema = {
  columns: [s("subject_uri"), s("subject_cid")],
  recordFields: new Set(["$type", "createdAt", "subject"]),
  fill(record, extra, out) {
    const subject = record["subject"];
    const ref = isObject(subject) ? strongRef(subject, "commit.record.subject", extra) : undefined;
    if (!isObject(subject) && subject !== undefined) extra["commit.record.subject"] = subject;
    out.push(ref?.uri ?? null, ref?.cid ?? null);
  },
};

const SUBJECT_DID: TypeSchema = {
  columns: [s("subject_did")],
  recordFields: new Set(["$type", "createdAt", "subject"]),
  fill(record, extra, out) {
    const subject = record["subject"];
    if (typeof subject === "string") out.push(subject);
    else {
      if (subject !== undefined) extra["commit.record.subject"] = subject;
      out.push(null);
    }
  },
};

const POST: TypeSchema = {
  columns: [
    s("text", false),
    j("langs", true),
    s("reply_root_uri"),
    s("reply_root_cid"),
    s("reply_parent_uri"),
    s("reply_parent_cid"),
    s("embed_type"),
    j("embed"),
    j("facets"),
  ],
  recordFields: new Set(["$type", "createdAt", "text", "langs", "reply", "embed", "facets"]),
  fill(record, extra, out) {
    const text = record["text"];
    if (text !== undefined && typeof text !== "string") extra["commit.record.text"] = text;
    out.push(typeof text === "string" ? text : null, jsonOrNull(record["langs"]));
    const reply = record["reply"];
    let root: { uri: string; cid: string } | undefined;
    let parent: { uri: string; cid: string } | undefined;
    if (isObject(reply)) {
      for (const key in reply) {
        const value = reply[key];
        if (key === "root" && isObject(value)) root = strongRef(value, "commit.record.reply.root", extra);
        else if (key === "parent" && isObject(value))
          parent = strongRef(value, "commit.record.reply.parent", extra);
        else extra[`commit.record.reply.${key}`] = value;
      }
    } else if (reply !== undefined) extra["commit.record.reply"] = reply;
    out.push(root?.uri ?? null, root?.cid ?? null, parent?.uri ?? null, parent?.cid ?? null);
    const embed = record["embed"];
    const embedType = isObject(embed) && typeof embed["$type"] === "string" ? embed["$type"] : null;
    out.push(embedType, jsonOrNull(embed), jsonOrNull(record["facets"]));
  },
};

/** Types not in the firehose get the shared columns; their whole record lands in `extra`. */
const GENERIC: TypeSchema = { columns: [], recordFields: new Set(["$type", "createdAt"]), fill() {} };

const SCHEMAS: Record<string, TypeSchema> = {
  post: POST,
  like: SUBJECT_REF,
  repost: SUBJECT_REF,
  follow: SUBJECT_DID,
  block: SUBJECT_DID,
};

const TOP_FIELDS = new Set(["did", "time_us", "kind", "commit"]);
const COMMIT_FIELDS = new Set(["rev", "operation", "collection", "rkey", "record", "cid"]);
/** Stream-entry fields the writer itself reads; any other field goes to `extra` as `entry.<name>`. */
const ENTRY_FIELDS = new Set(["type", "event"]);

export function schemaColumns(type: string): ColumnSpec[] {
  return [...COMMON, ...(SCHEMAS[type] ?? GENERIC).columns, j("extra")];
}

/**
 * The row for one stream entry (`fields` as flat name/value pairs), or the reason it cannot be
 * written; a reason sends the entry to the dead-letter stream.
 */
export function eventRow(type: string, stream: string, id: string, fields: string[]): EventRow | string {
  let eventText: string | undefined;
  let entryType: string | undefined;
  const extra: Record<string, unknown> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    if (name === "event") eventText = fields[i + 1];
    else if (name === "type") entryType = fields[i + 1];
    if (!ENTRY_FIELDS.has(name)) extra[`entry.${name}`] = fields[i + 1];
  }
  if (eventText === undefined) return "no `event` field";
  if (entryType !== undefined && entryType !== type)
    return `field type is "${truncate(entryType)}" in a stream of type "${type}"`;
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch (error) {
    return `event is not JSON: ${(error as Error).message}`;
  }
  if (!isObject(event)) return "event is not a JSON object";
  const timeUs = event["time_us"];
  if (typeof timeUs !== "number" || !Number.isSafeInteger(timeUs) || timeUs < 0)
    return `time_us is ${truncate(JSON.stringify(timeUs) ?? "missing")}; allowed: an integer ≥ 0 (µs since 1970)`;

  for (const key in event) if (!TOP_FIELDS.has(key)) extra[key] = event[key];
  const commit = isObject(event["commit"]) ? event["commit"] : undefined;
  if (commit === undefined && event["commit"] !== undefined) extra["commit"] = event["commit"];
  const record = commit !== undefined && isObject(commit["record"]) ? commit["record"] : undefined;
  if (commit !== undefined) {
    for (const key in commit) if (!COMMIT_FIELDS.has(key)) extra[`commit.${key}`] = commit[key];
    if (record === undefined && commit["record"] !== undefined) extra["commit.record"] = commit["record"];
  }
  const schema = SCHEMAS[type] ?? GENERIC;
  const values: unknown[] = [
    stream,
    id,
    BigInt(timeUs),
    stringOrExtra(event, "did", "did", extra),
    stringOrExtra(event, "kind", "kind", extra),
    stringOrExtra(commit, "operation", "commit.operation", extra),
    stringOrExtra(commit, "collection", "commit.collection", extra),
    stringOrExtra(commit, "rkey", "commit.rkey", extra),
    stringOrExtra(commit, "rev", "commit.rev", extra),
    stringOrExtra(commit, "cid", "commit.cid", extra),
    stringOrExtra(record, "$type", "commit.record.$type", extra),
    stringOrExtra(record, "createdAt", "commit.record.createdAt", extra),
  ];
  if (record !== undefined) {
    for (const key in record) if (!schema.recordFields.has(key)) extra[`commit.record.${key}`] = record[key];
    schema.fill(record, extra, values);
  } else {
    // An event without a record (an identity or account event) keeps only the shared columns.
    for (let i = 0; i < schema.columns.length; i++) values.push(null);
  }
  values.push(hasKeys(extra) ? extra : null);
  return { timeUs, values };
}

function stringOrExtra(
  from: Record<string, unknown> | undefined,
  key: string,
  path: string,
  extra: Record<string, unknown>,
): string | null {
  const value = from?.[key];
  if (typeof value === "string") return value;
  if (value !== undefined) extra[path] = value;
  return null;
}

function strongRef(
  value: Record<string, unknown>,
  path: string,
  extra: Record<string, unknown>,
): { uri: string; cid: string } | undefined {
  const uri = value["uri"];
  const cid = value["cid"];
  for (const key in value) if (key !== "uri" && key !== "cid") extra[`${path}.${key}`] = value[key];
  if (typeof uri !== "string" || typeof cid !== "string") {
    if (uri !== undefined) extra[`${path}.uri`] = uri;
    if (cid !== undefined) extra[`${path}.cid`] = cid;
    return undefined;
  }
  return { uri, cid };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonOrNull(value: unknown): unknown {
  return value === undefined ? null : value;
}

function hasKeys(object: Record<string, unknown>): boolean {
  for (const _ in object) return true;
  return false;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
