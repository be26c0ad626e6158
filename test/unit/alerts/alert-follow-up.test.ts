import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAcks } from "../../../src/alerts/ack-file.js";
import {
  type Acknowledgement,
  AlertFollowUp,
  type FollowUpDelivery,
} from "../../../src/alerts/alert-follow-up.js";
import { parseAlertsSection } from "../../../src/alerts/rule-parse.js";
import type { AlertEvent } from "../../../src/alerts/rule-types.js";

function event(type: AlertEvent["type"], tS: number, rule = "busy"): AlertEvent {
  return {
    type,
    rule,
    metric: "ops_per_sec",
    op: ">",
    severity: "warning",
    tS,
    value: 5000,
    threshold: 1000,
    message: `${rule} ${type}`,
  };
}

/** Feeds one event list per second (index = tS) and returns what each second sent. */
function drive(
  followUp: AlertFollowUp,
  perSecond: AlertEvent[][],
  acks: (tS: number) => Acknowledgement[] = () => [],
): Map<number, FollowUpDelivery[]> {
  const sent = new Map<number, FollowUpDelivery[]>();
  perSecond.forEach((events, tS) => {
    const out = followUp.step(events, tS, 1_000_000 + tS * 1000, acks(tS));
    if (out.length > 0) sent.set(tS, out);
  });
  return sent;
}

const quiet = (n: number): AlertEvent[][] => Array.from({ length: n }, () => []);

describe("AlertFollowUp", () => {
  it("reminds of a firing rule every repeatEvery until it resolves", () => {
    const followUp = new AlertFollowUp({ repeatEveryMs: 2000, escalations: [] });
    const seconds = quiet(8);
    seconds[1] = [event("firing", 1)];
    seconds[6] = [event("resolved", 6)];
    const sent = drive(followUp, seconds);
    assert.deepEqual([...sent.keys()], [1, 3, 5, 6]);
    assert.equal(sent.get(3)?.[0].event.repeat, 1);
    assert.equal(sent.get(5)?.[0].event.repeat, 2);
    assert.match(sent.get(5)?.[0].event.message ?? "", /still firing after 4s, reminder 2/);
    assert.equal(sent.get(6)?.[0].event.type, "resolved");
    assert.ok([...sent.values()].flat().every((d) => d.to === "primary"));
    assert.deepEqual(
      followUp.records.map((r) => [r.kind, r.tS]),
      [
        ["reminder", 3],
        ["reminder", 5],
      ],
    );
  });

  it("escalates once per firing after its delay, and tells the escalation notifier of the resolution", () => {
    const followUp = new AlertFollowUp({ escalations: [{ notifier: 2, afterMs: 3000 }] });
    const seconds = quiet(10);
    seconds[1] = [event("firing", 1)];
    seconds[7] = [event("resolved", 7)];
    const sent = drive(followUp, seconds);
    assert.deepEqual([...sent.keys()], [1, 4, 7]);
    assert.deepEqual(sent.get(4)?.[0].to, [2]);
    assert.equal(sent.get(4)?.[0].event.escalated, true);
    assert.deepEqual(
      sent.get(7)?.map((d) => [d.event.type, d.to]),
      [
        ["resolved", "primary"],
        ["resolved", [2]],
      ],
    );
  });

  it("an acknowledgement silences reminders and escalation for that firing only", () => {
    const followUp = new AlertFollowUp({
      repeatEveryMs: 1000,
      escalations: [{ notifier: 1, afterMs: 4000 }],
    });
    const seconds = quiet(14);
    seconds[1] = [event("firing", 1)];
    seconds[6] = [event("resolved", 6)];
    seconds[8] = [event("firing", 8)];
    // Acknowledged at tS 2.5 (wall time of second 2 plus 500 ms): before the second firing began.
    const ack = { rule: "busy", atMs: 1_000_000 + 2500, by: "alice" };
    const sent = drive(followUp, seconds, (tS) => (tS >= 3 ? [ack] : []));
    // Reminder at 2, ack seen at 3: nothing more until the resolution at 6.
    assert.deepEqual(
      [...sent.keys()].filter((t) => t <= 7),
      [1, 2, 6],
    );
    // The second firing is not covered by the old acknowledgement: reminders and escalation again.
    assert.deepEqual(
      [...sent.keys()].filter((t) => t >= 8),
      [8, 9, 10, 11, 12, 13],
    );
    assert.deepEqual(
      sent.get(12)?.map((d) => d.to),
      ["primary", [1]],
    );
    const acked = followUp.records.filter((r) => r.kind === "acknowledged");
    assert.deepEqual(acked, [{ rule: "busy", kind: "acknowledged", tS: 3, by: "alice" }]);
  });

  it("does nothing when neither reminders nor escalations are configured", () => {
    const followUp = new AlertFollowUp({ escalations: [] });
    assert.equal(followUp.active, false);
  });
});

describe("ack file lines", () => {
  it("reads rule, time and who; a line without a time takes the file's time; junk is skipped", () => {
    const text = [
      "# acknowledgements",
      "memory_high 2026-12-06T19:40:00.000Z by alice",
      "p99_high",
      "not a rule!",
      "hit_ratio_low 2026-13-45T99:00:00Z",
    ].join("\n");
    assert.deepEqual(parseAcks(text, 42), [
      { rule: "memory_high", atMs: Date.parse("2026-12-06T19:40:00.000Z"), by: "alice" },
      { rule: "p99_high", atMs: 42, by: undefined },
    ]);
  });
});

describe("alerts section: repeatEvery, ackFile, escalateAfter", () => {
  it("parses them", () => {
    const parsed = parseAlertsSection(
      {
        repeatEvery: "30s",
        ackFile: "alerts.ack",
        rules: [{ name: "busy", metric: "ops_per_sec", op: ">", value: 10, repeatEvery: 5 }],
        notify: [
          { kind: "webhook", url: "http://127.0.0.1:1/a" },
          { kind: "webhook", url: "http://127.0.0.1:1/b", escalateAfter: "2m" },
        ],
      },
      { defaults: [] },
    );
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    assert.equal(parsed.value.repeatEveryMs, 30_000);
    assert.equal(parsed.value.ackFile, "alerts.ack");
    assert.equal(parsed.value.rules[0].repeatEveryMs, 5000);
    assert.equal(parsed.value.notifiers[0].escalateAfterMs, undefined);
    assert.equal(parsed.value.notifiers[1].escalateAfterMs, 120_000);
  });

  it("lists every bad value at once", () => {
    const parsed = parseAlertsSection(
      {
        repeatEvery: "0.5s",
        ackFile: "",
        rules: [{ name: "busy", metric: "ops_per_sec", op: ">", value: 10, repeatEvery: "forever" }],
        notify: [{ kind: "webhook", url: "http://127.0.0.1:1/b", escalateAfter: -1 }],
      },
      { defaults: [] },
    );
    assert.equal(parsed.ok, false);
    const fields = !parsed.ok ? parsed.problems.map((p) => p.field).sort() : [];
    assert.deepEqual(fields, [
      "alerts.ackFile",
      "alerts.notify[0].escalateAfter",
      "alerts.repeatEvery",
      "alerts.rules[0].repeatEvery",
    ]);
  });
});
