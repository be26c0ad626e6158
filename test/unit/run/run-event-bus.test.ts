import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunEventBus, type RunOutput } from "../../../src/run/run-event-bus.js";
import type { RunEvent } from "../../../src/run/run-events.js";

const notice = (message: string) => ({ type: "notice" as const, message });

describe("RunEventBus", () => {
  it("stamps events and hands them to every output and the listener, in order", async () => {
    const got: RunEvent[] = [];
    const heard: RunEvent[] = [];
    const bus = new RunEventBus([{ name: "a", onEvent: (e) => void got.push(e) }], (e) => heard.push(e));
    await bus.start();
    bus.emit(notice("one"));
    bus.emit(notice("two"));
    assert.deepEqual(
      got.map((e) => (e.type === "notice" ? e.message : "")),
      ["one", "two"],
    );
    assert.equal(heard.length, 2);
    assert.ok(got.every((e) => typeof e.timeMs === "number" && e.timeMs > 0));
    assert.deepEqual(await bus.stop(undefined), [{ name: "a", events: 2, failures: 0 }]);
  });

  it("counts an output's throws, rejections and failed start/stop without passing them on", async () => {
    const bad: RunOutput = {
      name: "bad",
      start: () => {
        throw new Error("cannot open");
      },
      onEvent: (e) => {
        if (e.type === "notice" && e.message === "x") throw new Error("threw");
        return Promise.reject(new Error("rejected"));
      },
      stop: () => Promise.reject(new Error("flush failed\nstack")),
    };
    const good: string[] = [];
    const bus = new RunEventBus([bad, { name: "good", onEvent: (e) => void good.push(e.type) }]);
    await bus.start();
    bus.emit(notice("x"));
    bus.emit(notice("y"));
    await new Promise((r) => setImmediate(r));
    const [badHealth, goodHealth] = await bus.stop(undefined);
    assert.equal(badHealth.events, 2);
    // start + one throw + one rejection + stop.
    assert.equal(badHealth.failures, 4);
    assert.equal(badHealth.lastError, "flush failed");
    assert.deepEqual(goodHealth, { name: "good", events: 2, failures: 0 });
    assert.deepEqual(good, ["notice", "notice"]);
  });

  it("emits nothing after stop, and is inactive without outputs or a listener", async () => {
    const idle = new RunEventBus([]);
    assert.equal(idle.active, false);
    const got: string[] = [];
    const bus = new RunEventBus([{ name: "a", onEvent: (e) => void got.push(e.type) }]);
    await bus.stop(undefined);
    bus.emit(notice("late"));
    assert.deepEqual(got, []);
  });
});
