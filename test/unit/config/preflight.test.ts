import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { preflightProblems } from "../../../src/config/preflight.js";
import { packageRoot } from "../../../src/config/scenario-file.js";

const dir = mkdtempSync(join(tmpdir(), "cachestress-preflight-"));
const aFile = join(dir, "a-file.txt");
writeFileSync(aFile, "not a directory");
const notJson = join(dir, "prices.txt");
writeFileSync(notJson, "hoursPerMonth: 730");
const wrongJson = join(dir, "prices.json");
writeFileSync(wrongJson, JSON.stringify({ hello: 1 }));
const shippedPrices = join(packageRoot(), "data", "elasticache-serverless-prices.json");

describe("the run's files are checked before the load", () => {
  const outCases: [string, string, RegExp | undefined][] = [
    ["an existing directory", dir, undefined],
    ["a directory to be created under one", join(dir, "new", "deeper"), undefined],
    ["a file", aFile, /is a file/],
    ["a path under a file", join(aFile, "x"), /a-file\.txt is a file, not a directory/],
    ["a kernel file system", "/proc/x/y", /kernel file system/],
    ["/sys itself", "/sys", /kernel file system/],
  ];
  for (const [name, outDir, problem] of outCases) {
    it(`--out: ${name}`, async () => {
      const problems = await preflightProblems({ outDir });
      if (problem === undefined) assert.deepEqual(problems, []);
      else {
        assert.equal(problems.length, 1);
        assert.equal(problems[0].field, "--out");
        assert.equal(problems[0].value, outDir);
        assert.match(problems[0].allowed, problem);
      }
    });
  }

  const priceCases: [string, string, RegExp | undefined][] = [
    ["the shipped table", shippedPrices, undefined],
    ["a missing file", join(dir, "missing.json"), /ENOENT/],
    ["a directory", dir, /not a regular file/],
    ["not JSON", notJson, /not JSON/],
    ["JSON of another kind", wrongJson, /without those fields/],
  ];
  for (const [name, priceFile, problem] of priceCases) {
    it(`--price-file: ${name}`, async () => {
      const problems = await preflightProblems({ outDir: dir, priceFile });
      if (problem === undefined) assert.deepEqual(problems, []);
      else {
        assert.equal(problems.length, 1);
        assert.equal(problems[0].field, "--price-file");
        assert.match(problems[0].allowed, problem);
      }
    });
  }

  it("both problems are listed together, and the write check leaves nothing behind", async () => {
    const problems = await preflightProblems({ outDir: aFile, priceFile: notJson });
    assert.deepEqual(
      problems.map((p) => p.field),
      ["--out", "--price-file"],
    );
    assert.deepEqual(readdirSync(dir).sort(), ["a-file.txt", "prices.json", "prices.txt"]);
  });
});
