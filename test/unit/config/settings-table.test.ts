import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parseRunArgs, RUN_DEFAULTS, RUN_FLAGS_HELP } from "../../../src/config/flags.js";
import { packageRoot, SCENARIO_FIELDS } from "../../../src/config/scenario-file.js";
import { SETTING_SECTIONS, SETTINGS, settingName } from "../../../src/config/settings.js";
import { renderSettingsDoc } from "../../../src/config/settings-doc.js";

test("docs/settings.md is what the settings table generates (run node scripts/settings-doc.mjs)", async () => {
  const committed = await readFile(join(packageRoot(), "docs", "settings.md"), "utf8");
  assert.equal(committed, renderSettingsDoc());
});

test("every row is a flag, a file key or both, named once, in a known section", () => {
  const flags = SETTINGS.flatMap((s) => (s.flag !== undefined ? [s.flag] : []));
  const files = SETTINGS.flatMap((s) => (s.file !== undefined ? [s.file] : []));
  assert.equal(new Set(flags).size, flags.length, "a flag in two rows");
  assert.equal(new Set(files).size, files.length, "a file key in two rows");
  for (const s of SETTINGS) {
    assert.ok(s.flag !== undefined || s.file !== undefined, s.help);
    assert.ok(s.section in SETTING_SECTIONS, `${s.flag ?? s.file}: section ${s.section}`);
    assert.ok(s.help.length > 0, `${s.flag ?? s.file}: help`);
    // A valued flag needs a rule to judge its text; an on/off flag has none.
    if (s.flag !== undefined) assert.equal(s.value !== undefined, s.rule !== undefined, `--${s.flag}`);
    const goes = s.key ?? s.set ?? s.file ?? s.stage;
    assert.ok(goes !== undefined, `${s.flag}: goes nowhere`);
  }
  // The file schema is exactly the rows with a file key.
  assert.deepEqual([...SCENARIO_FIELDS].sort(), [...files].sort());
});

test("each default is a value its own rule accepts, and the defaults a run gets come from the table", () => {
  for (const s of SETTINGS) {
    if (s.default === undefined) continue;
    assert.notEqual(s.rule?.parse(s.default), undefined, `${s.flag ?? s.file}: default ${s.default}`);
  }
  assert.equal(RUN_DEFAULTS.connections, 50);
  assert.equal(RUN_DEFAULTS.durationMs, 30_000);
  assert.equal(RUN_DEFAULTS.timeoutMs, 1_000);
  assert.deepEqual(RUN_DEFAULTS.commands, [
    { name: "SET", weight: 1 },
    { name: "GET", weight: 10 },
  ]);
});

test("the help has one line per flag row, with the row's default", () => {
  const lines = RUN_FLAGS_HELP.split("\n").filter((l) => l.startsWith("  --"));
  assert.equal(lines.length, SETTINGS.filter((s) => s.flag !== undefined).length);
  for (const s of SETTINGS) {
    if (s.flag === undefined) continue;
    const line = lines.find((l) => l.trimStart().startsWith(`--${s.flag} `) || l.trim() === `--${s.flag}`);
    const line2 = line ?? lines.find((l) => l.trimStart().startsWith(`--${s.flag},`));
    assert.ok(line2 !== undefined, `--${s.flag}`);
    const dflt = s.defaultText ?? s.default;
    if (dflt !== undefined) assert.ok(line2.includes(`(default: ${dflt})`), line2);
  }
});

test("a problem names a field by its flag, else by its file key", () => {
  assert.equal(settingName("connections"), "--connections");
  assert.equal(settingName("dataSizeMax"), "--data-size");
  assert.equal(settingName("stages"), "--profile");
  assert.equal(settingName("thresholds"), "--threshold");
  assert.equal(settingName("scripts"), "scripts (scenario file)");
});

test("a flag with a row is parsed; one without is an unknown flag", () => {
  assert.deepEqual(parseRunArgs(["--key-max", "7"]).flags.keyMax, 7);
  assert.deepEqual(
    parseRunArgs(["--scripts", "x"]).problems.map((p) => p.field),
    ["--scripts"],
    "a file-only setting has no flag",
  );
});
