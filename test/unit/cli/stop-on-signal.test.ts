import assert from "node:assert/strict";
import { test } from "node:test";
import { leftoverHint, shellQuote } from "../../../src/cli/stop-on-signal.js";

test("leftoverHint: the prefix and a cleanup command to paste, never the password", () => {
  const table: [string | undefined, string, string[], RegExp[]][] = [
    [
      "redis://127.0.0.1:6379",
      "cachestress:1a2b:",
      [
        "cachestress: keys may remain under the prefix cachestress:1a2b:",
        "cachestress: remove them with: cachestress cleanup --url redis://127.0.0.1:6379 --prefix cachestress:1a2b:",
      ],
      [],
    ],
    [
      "rediss://loader:s3cret@cache.example:6380/2",
      "app:{t}:",
      [
        "cachestress: keys may remain under the prefix app:{t}:",
        "cachestress: remove them with: cachestress cleanup --url rediss://loader@cache.example:6380/2 --prefix 'app:{t}:'",
      ],
      [/s3cret/],
    ],
    [
      "redis://:pw@10.0.0.5:6379",
      "it's:",
      ["cachestress: remove them with: cachestress cleanup --url redis://10.0.0.5:6379 --prefix 'it'\\''s:'"],
      [/pw/],
    ],
    [
      undefined,
      "x:",
      ["cachestress: the throwaway redis-server is stopped with the tool; its keys go with it"],
      [],
    ],
  ];
  for (const [url, prefix, lines, never] of table) {
    const hint = leftoverHint(url, prefix);
    for (const line of lines) assert.ok(hint.split("\n").includes(line), `${hint}\n  lacks\n${line}`);
    for (const secret of never) assert.doesNotMatch(hint, secret);
  }
});

test("shellQuote: plain text as it is, anything else single-quoted", () => {
  assert.equal(shellQuote("cachestress:ab12:"), "cachestress:ab12:");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("{a,b}"), "'{a,b}'");
  assert.equal(shellQuote("$HOME"), "'$HOME'");
});
