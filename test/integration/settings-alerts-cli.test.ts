import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";

/**
 * `alerts:` is validated while the config is resolved, with every other problem, before anything
 * starts: no throwaway redis-server, no connection to --url.
 */
describe("alerts: problems are config problems, listed with the flags' own", () => {
  let dir: string;
  let badAlerts: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "cachestress-settings-alerts-"));
    badAlerts = join(dir, "bad-alerts.yaml");
    await writeFile(
      badAlerts,
      [
        "duration: 1s",
        "alerts:",
        "  rules:",
        "    - name: busy",
        "      metric: nonsense",
        "      op: '>'",
        "      value: 1",
        "",
      ].join("\n"),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a bad alert rule and a bad flag: exit 2, both listed, no redis-server started", async () => {
    const out = await runCli(["run", badAlerts, "--connections", "abc", "--out", dir]);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /The run configuration has \d+ problems:/);
    assert.match(out.stderr, /--connections: got "abc"; allowed: a whole number from 1 to 100000/);
    assert.match(out.stderr, /alerts\.rules\[0\]\.metric in .*bad-alerts\.yaml: got "nonsense"/);
    assert.doesNotMatch(out.stderr, /started a throwaway redis-server/);
  });

  it("a bad alert rule alone stops the run before it connects to --url", async () => {
    // A listener of our own on loopback stands in for the target: it must see no connection.
    let connections = 0;
    const target = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const { port } = target.address() as { port: number };
    try {
      const out = await runCli(["run", badAlerts, "--url", `redis://127.0.0.1:${port}`, "--out", dir]);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, /alerts\.rules\[0\]\.metric in .*bad-alerts\.yaml: got "nonsense"/);
      assert.equal(connections, 0, "the target was contacted before the config was judged");
    } finally {
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });
});
