import assert from "node:assert/strict";
import { test } from "node:test";
import { formatProblems } from "../../../src/config/errors.js";
import { parseRunArgs, RUN_FLAGS_HELP } from "../../../src/config/flags.js";

const fields = (argv: string[]) => parseRunArgs(argv).problems.map((p) => p.field);

test("good flags become canonical values, and only given flags are set", () => {
  const { scenarioArg, flags, problems } = parseRunArgs([
    "baseline",
    "--url=redis://127.0.0.1:6380",
    "-c",
    "8",
    "--pipeline",
    "4",
    "--duration",
    "1m30s",
    "--warmup",
    "2",
    "--ratio",
    "0:1",
    "--key-pattern",
    "zipf",
    "--data-size-range",
    "32-512",
    "--ttl",
    "1h",
    "--timeout",
    "250ms",
    "--threshold",
    "p(99)<5ms",
    "--threshold",
    "errors<1%",
    "--seed",
    "42",
    "--prefix",
    "t:",
    "--keep-keys",
    "--json",
  ]);
  assert.deepEqual(problems, []);
  assert.equal(scenarioArg, "baseline");
  assert.deepEqual(flags, {
    profile: { values: {} },
    json: true,
    debug: false,
    help: false,
    url: "redis://127.0.0.1:6380",
    connections: 8,
    pipeline: 4,
    durationMs: 90_000,
    warmupMs: 2_000,
    commands: [{ name: "GET", weight: 1 }],
    keyPattern: "zipf",
    dataSizeMin: 32,
    dataSizeMax: 512,
    ttlS: 3600,
    timeoutMs: 250,
    thresholds: ["p(99)<5ms", "errors<1%"],
    seed: 42,
    prefix: "t:",
    keepKeys: true,
  });
});

test("every bad flag is reported at once", () => {
  const { problems } = parseRunArgs([
    "--connections",
    "abc",
    "--ratio",
    "x",
    "--key-pattern",
    "foo",
    "--bogus",
  ]);
  assert.deepEqual(
    problems.map((p) => [p.field, p.value]),
    [
      ["--connections", "abc"],
      ["--ratio", "x"],
      ["--key-pattern", "foo"],
      ["--bogus", "--bogus"],
    ],
  );
  assert.match(
    formatProblems(problems),
    /^ {2}--connections: got "abc"; allowed: a whole number from 1 to 100000$/m,
  );
});

test("each flag's bad values are rejected with what is allowed", () => {
  const cases: [string[], string, RegExp][] = [
    [["--url", "http://x"], "--url", /redis:\/\/ or rediss:\/\//],
    [["--env", "my env"], "--env", /letters, digits/],
    [["--duration", "0s"], "--duration", /above 0/],
    [["--duration", "soon"], "--duration", /such as 500ms, 30s/],
    [["--requests", "1.5"], "--requests", /whole number/],
    [["--warmup", "-1s"], "--warmup", /0 or more/],
    [["--connections", "0"], "--connections", /from 1 to 100000/],
    [["--connections", "100001"], "--connections", /from 1 to 100000/],
    [["--pipeline", "0"], "--pipeline", /from 1/],
    [["--threads", "65"], "--threads", /from 1 to 64/],
    [["--rate", "0"], "--rate", /above 0/],
    [["--rate", "-5"], "--rate", /above 0/],
    [["--ratio", "0:0"], "--ratio", /not both 0/],
    [["--ratio", "1:2:3"], "--ratio", /SET:GET/],
    [["--key-pattern", "zipfian"], "--key-pattern", /did you mean zipf\?/],
    [["--key-max", "0"], "--key-max", /from 1/],
    [["--data-size", "0"], "--data-size", /from 1 to 536870912/],
    [["--data-size", "536870913"], "--data-size", /512 MiB/],
    [["--data-size-range", "512-32"], "--data-size-range", /MIN at most MAX/],
    [["--ttl", "1.5s"], "--ttl", /whole seconds/],
    [["--ttl", "0"], "--ttl", /from 1/],
    [["--prefix", "a b"], "--prefix", /without spaces/],
    [["--prefix", ""], "--prefix", /non-empty/],
    [["--timeout", "2h"], "--timeout", /at most 1h/],
    [["--threshold", "p(99)<5%"], "--threshold", /us, ms or s/],
    [["--seed", "-1"], "--seed", /from 0 to 4294967295/],
    [["--profile", "rmap"], "--profile", /did you mean ramp\?/],
    [["--json=yes"], "--json", /on\/off flag/],
    [["--connections"], "--connections", /whole number/],
  ];
  for (const [argv, field, allowed] of cases) {
    const { problems } = parseRunArgs(argv);
    assert.equal(problems.length, 1, `${argv.join(" ")}: ${formatProblems(problems)}`);
    assert.equal(problems[0].field, field, argv.join(" "));
    assert.match(problems[0].allowed, allowed, argv.join(" "));
  }
});

test("a flag with its value missing does not swallow the next flag", () => {
  const { flags, problems } = parseRunArgs(["--connections", "--ratio", "1:1"]);
  assert.deepEqual(
    problems.map((p) => [p.field, p.value]),
    [["--connections", undefined]],
  );
  assert.deepEqual(flags.commands, [
    { name: "SET", weight: 1 },
    { name: "GET", weight: 1 },
  ]);
});

test("unknown flags suggest the closest known one", () => {
  const cases: [string[], string][] = [
    [["--conections", "10"], "a known flag (did you mean --connections?)"],
    [["--keep-key"], "a known flag (did you mean --keep-keys?)"],
    [["--treshold", "x"], "a known flag (did you mean --threshold?)"],
    [["--dur", "5s"], "a known flag (did you mean --duration?)"],
    [["--zzzzzz"], "a known flag (see cachestress run --help)"],
  ];
  for (const [argv, allowed] of cases) {
    const { problems, scenarioArg } = parseRunArgs(argv);
    assert.deepEqual(
      problems.map((p) => p.allowed),
      [allowed],
      argv.join(" "),
    );
    assert.equal(scenarioArg, undefined, `${argv.join(" ")}: the value belongs to the misspelt flag`);
  }
});

test("checks between flags", () => {
  const cases: [string[], string[]][] = [
    [["--duration", "5s", "--requests", "100"], ["--requests"]],
    [["--data-size", "5", "--data-size-range", "1-9"], ["--data-size-range"]],
    [["--ramp-to", "500"], ["--ramp-to"]],
    [["--profile", "wave", "--burst-every", "2s"], ["--burst-every"]],
    [["--profile", "ramp", "--rate", "10"], ["--ramp-to"]],
    [["--profile", "constant", "--rate", "10", "--requests", "5"], ["--requests"]],
    [["a.yaml", "b.yaml"], ["scenario"]],
  ];
  for (const [argv, expected] of cases) assert.deepEqual(fields(argv), expected, argv.join(" "));
});

test("profile flags fill the fields of the chosen stage kind only", () => {
  const { flags, problems } = parseRunArgs([
    "--profile",
    "burst",
    "--rate",
    "1000",
    "--burst-multiplier",
    "3",
    "--burst-every",
    "4s",
    "--burst-duration",
    "500ms",
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(flags.profile, {
    kind: "burst",
    values: { multiplier: 3, burstEvery: 4000, burstDuration: 500 },
  });
});

test("a password in a bad URL is not repeated in the problem", () => {
  const { problems } = parseRunArgs(["--url", "http://user:s3cret@host:6379"]);
  assert.equal(problems[0].value, "http://user:***@host:6379");
});

test("the help names every flag once, with the defaults", () => {
  for (const flag of [
    "--url",
    "--connections, -c N",
    "--ratio",
    "--chaos-every",
    "--help, -h",
    "--threshold",
    "--dataset NAME",
  ]) {
    assert.ok(RUN_FLAGS_HELP.includes(flag), flag);
  }
  assert.match(RUN_FLAGS_HELP, /--connections, -c N +connections \(default: 50\)/);
  assert.match(RUN_FLAGS_HELP, /--ratio SET:GET .*\(default: 1:10\)/);
  assert.match(RUN_FLAGS_HELP, /--out DIR .*\(default: Reports\)/);
  const flagLines = RUN_FLAGS_HELP.split("\n").filter((l) => l.startsWith("  --"));
  // One line per flag, so no flag is missing from the help or listed twice.
  assert.equal(flagLines.length, new Set(flagLines.map((l) => l.trim().split(/[ ,]/)[0])).size);
  assert.ok(flagLines.length >= 45, `${flagLines.length} flag lines`);
});
