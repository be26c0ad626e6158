import type { DatasetName } from "../../config/types.js";
import { FIREHOSE_COLLECTIONS, type FirehoseEventType, firehoseEventType } from "./firehose.js";
import type { ValuePool } from "./value-pool.js";

/**
 * The event type of every record in a dataset pool, for the `{type}` placeholder of command
 * templates (one stream per event type). Read once per engine thread from the pool itself, so the
 * type written beside a record is always that record's own.
 */
export interface RecordTypes {
  /** Type names as bytes (`post`, `like` ...), indexed by type number. */
  names: Buffer[];
  /** Per record of the pool, the index of its type in `names`. */
  typeOf: Uint8Array;
}

export function datasetRecordTypes(name: DatasetName, pool: ValuePool): RecordTypes | undefined {
  if (name !== "firehose") return undefined;
  const types = Object.keys(FIREHOSE_COLLECTIONS) as FirehoseEventType[];
  const typeOf = new Uint8Array(pool.count);
  for (let i = 0; i < pool.count; i++) {
    const type = firehoseEventType(JSON.parse(pool.value(i).toString("utf8")));
    if (type === undefined) throw new Error(`firehose record ${i} has no known event type`);
    typeOf[i] = types.indexOf(type);
  }
  return { names: types.map((t) => Buffer.from(t)), typeOf };
}
