// Writes docs/settings.md from the settings table (src/config/settings.ts), after building.
//
//   node scripts/settings-doc.mjs           write docs/settings.md
//   node scripts/settings-doc.mjs --check   exit 1 when docs/settings.md differs from the table
//
// test/unit/config/settings-doc.test.ts runs the same comparison in `npm test`.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureSetup, ROOT } from "./setup.mjs";

ensureSetup({ needRedis: false });
const { renderSettingsDoc } = await import(
  pathToFileURL(join(ROOT, "dist", "src", "config", "settings-doc.js")).href
);
const path = join(ROOT, "docs", "settings.md");
const text = renderSettingsDoc();
if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(path, "utf8");
  } catch {
    // A missing page differs like any other.
  }
  if (committed !== text) {
    process.stderr.write(
      "docs/settings.md differs from src/config/settings.ts: run node scripts/settings-doc.mjs\n",
    );
    process.exit(1);
  }
} else {
  writeFileSync(path, text);
  process.stderr.write(`wrote ${path}\n`);
}
