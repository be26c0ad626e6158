import { SETTING_SECTIONS, SETTINGS, type Setting, type SettingSection } from "./settings.js";

/**
 * docs/settings.md, generated from the settings table so the page cannot drift from the code:
 * `node scripts/settings-doc.mjs` writes it, and a test fails when the committed page differs.
 */

const INTRO = `# Settings

<!-- Generated from src/config/settings.ts by \`node scripts/settings-doc.mjs\`; do not edit by hand. -->

Every setting of \`cachestress run\`, with its command-line flag and its key in a scenario file
([scenario-file.md](scenario-file.md)). A flag overrides the file; a default applies only when
neither sets the setting. Durations are like \`500ms\`, \`30s\`, \`5m\` or \`1h\` (a bare number is
seconds); rates are operations per second over the whole run; sizes are bytes.

Each row is declared once, in \`src/config/settings.ts\`: the flag parser, the scenario-file
schema, the defaults, \`cachestress run --help\` and this page are all read from it.

## Adding a setting

1. Add one row to \`SETTINGS\` in \`src/config/settings.ts\`: \`flag\` and/or \`file\`, \`key\` (the
   \`RunConfig\` field; add it to \`src/config/types.ts\`), \`rule\` (a \`ValueRule\` from
   \`field-rules.ts\`, shared by flag and file), \`default\` (as a user types it) or \`defaultText\`,
   \`help\` and \`section\`. An on/off flag has no \`value\` and no \`rule\`.
2. If the field must always be present in the resolved config, give it its default in
   \`buildConfig\` (\`src/config/resolve.ts\`) from \`RUN_DEFAULTS\` (\`defaultOf("flag")\` in \`flags.ts\` reads
   the row); checks between settings go in
   \`merge\` there, so they are listed with every other problem.
3. Run \`node scripts/settings-doc.mjs\` to rewrite this page (a test compares it with the table).

A subcommand that shares a flag with \`run\` takes its row with \`flagRows("tls-ca", ...)\` and
parses with \`parseFlags\` (\`src/config/flag-parser.ts\`), so the flag is judged and explained in
the same words everywhere.`;

/** A table cell: pipes escaped, so text such as `cache|buffer` stays in its column. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function code(text: string | undefined): string {
  return text === undefined ? "—" : `\`${text}\``;
}

function flagText(s: Setting): string {
  if (s.flag === undefined) return "—";
  const short = s.short !== undefined ? `, \`-${s.short}\`` : "";
  return `\`--${s.flag}${s.value !== undefined ? ` ${s.value}` : ""}\`${short}`;
}

function allowedText(s: Setting): string {
  if (s.rule !== undefined) return s.allowed ?? s.rule.allowed;
  if (s.allowed !== undefined) return s.allowed;
  return s.file !== undefined ? "on/off flag; `true` or `false` in a file" : "on/off flag";
}

function defaultText(s: Setting): string {
  const text = s.defaultText ?? s.default;
  if (text !== undefined) return text;
  return s.rule === undefined && s.allowed === undefined ? "off" : "—";
}

/** A Markdown table with its columns padded, as the formatter (biome) writes one. */
function sectionTable(rows: readonly Setting[]): string[] {
  const cells = [
    ["flag", "file key", "what", "allowed", "default"],
    ...rows.map((s) => [flagText(s), code(s.file), s.help, allowedText(s), defaultText(s)].map(cell)),
  ];
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)];
}

export function renderSettingsDoc(): string {
  const parts = [INTRO];
  for (const [section, title] of Object.entries(SETTING_SECTIONS) as [SettingSection, string][]) {
    const rows = SETTINGS.filter((s) => s.section === section);
    if (rows.length === 0) continue;
    parts.push(`## ${title}`, sectionTable(rows).join("\n"));
  }
  return `${parts.join("\n\n")}\n`;
}
