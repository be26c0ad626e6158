import { type IntervalReport, ThreadRecorder } from "../measure/thread-recorder.js";
import { buildDatasetPool } from "../workload/datasets/dataset-pool.js";
import { datasetRecordTypes, type RecordTypes } from "../workload/datasets/record-types.js";
import type { ValuePool } from "../workload/datasets/value-pool.js";
import { KeyChooser } from "../workload/key-chooser.js";
import { KeyPopularity, readsKeyNumber } from "../workload/key-popularity.js";
import { Rng } from "../workload/random.js";
import { CommandWriter, type TemplateExtras } from "./command-writer.js";
import { type ConnectionOwner, epochNowMs, LoadConnection } from "./load-connection.js";
import { OpenLoopSchedule } from "./open-loop-schedule.js";
import { connectionsInUse, MAX_WAITING_COUNTED, overdueOps } from "./pool-view.js";
import { REPLY_ERROR, REPLY_NIL } from "./reply-parser.js";
import type { PhasePlan, ThreadPlan } from "./thread-plan.js";
import type { Topology } from "./topology.js";

/** How often in-flight operations are checked against the timeout, ms. */
const TIMEOUT_CHECK_MS = 50;
/** Reconnect backoff: first wait and ceiling, ms. */
const RECONNECT_FIRST_MS = 25;
const RECONNECT_MAX_MS = 1000;
/** A phase ends early when every connection has been down this long, ms. */
const TARGET_LOST_AFTER_MS = 5000;
/**
 * Open loop: with nothing in flight, no reply can wake the thread before the next send, and a
 * timer wakes up on a 1 ms grid at best; a next send closer than this is waited for with a
 * precise sleep instead (ms). Docs: docs/engine.md.
 */
const SLEEP_BELOW_MS = 2;
/**
 * Open loop, a connection whose operations are closer together than this: its due operation waits
 * until it is this late, so the ones due meanwhile share its socket write (ms). A write costs the
 * same for one command or twenty, and at high rates per connection one write per operation is
 * most of the engine's CPU; below 1 ms such a wait is never a late send. A connection whose next
 * operation is further away sends at once: at 20,000 ops/s over 50 connections (2.5 ms apart)
 * nothing waits. Docs: docs/engine.md, "Batching".
 */
export const SEND_HOLD_MS = 0.5;
/** Sleeps per wake-up at most: bounds the loop when a send cannot leave (ring full, link down). */
const MAX_SLEEPS_PER_WAKE = 64;
/** A cell nobody notifies: Atomics.wait on it is a sleep with µs precision that costs no CPU. */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

/** What each phase gets: its own command mix, keys and counters. */
export interface PhaseState {
  plan: PhasePlan;
  writer: CommandWriter;
  chooser: KeyChooser;
  /** Added to every key the chooser picks: the first key of the phase's range. */
  keyFirst: number;
  recorder: ThreadRecorder;
  /** Popularity of the phase's keys, when reads are counted per popularity group (hit-groups.ts). */
  popularity: KeyPopularity | undefined;
  schedule: OpenLoopSchedule | undefined;
  issuing: boolean;
  /**
   * Stop issuing at this time, epoch ms (Infinity when a count ends the phase): the plan's end,
   * moved later by every pause, so paused time does not count toward the phase's length.
   */
  endEpochMs: number;
  /** The phase's start time has come (its first sends are due, or were held back by a pause). */
  startFired: boolean;
  /** Ends issuing at endEpochMs; re-armed after each pause. */
  endTimer: NodeJS.Timeout | undefined;
  targetLost: boolean;
  done: () => void;
}

/**
 * The load engine of one thread: closed loop (every reply immediately sends the next operation,
 * keeping `pipeline` in flight per connection) or open loop (operations leave at their intended
 * start times, whatever the replies do). One engine runs its phases one after another on the same
 * connections.
 */
export class LoadEngine implements ConnectionOwner {
  readonly connections: LoadConnection[] = [];
  protected phase: PhaseState | undefined;
  protected readonly random: Rng;
  /** The largest command any phase can write, bytes (sizes the connections' output slabs). */
  protected readonly maxCommandBytes: number;
  /** With a dataset: its records, built here from the run's seed (the same in every thread). */
  private readonly dataset: ValuePool | undefined;
  /** What command templates need from this thread: record types for {type}, where {seq} starts. */
  private readonly templateExtras: TemplateExtras;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private readonly onTick = () => this.tick();
  /** Open loop: when the next send may leave on any connection (lane), epoch ms: its intended start, or its release when held (SEND_HOLD_MS). */
  protected dueMs = Number.POSITIVE_INFINITY;
  /** Paused: nothing new is sent; replies in flight are still read and recorded. */
  protected paused = false;
  /** When the current pause started, epoch ms (the main thread's clock). */
  private pausedAtMs = 0;
  /** Open loop: a rate set by setRate, ops/s over the run (0 = the plan's profile); later phases keep it. */
  private rateOverride = 0;
  /** A rate set during a pause: it starts when the load resumes. */
  private pendingRate = 0;
  /** Per command: 1 when its reads count per popularity group (a read of a {key} key). */
  private readonly rankedRead: Uint8Array;
  /** Connections remember each operation's key, for the popularity groups (or a routed engine's redirects). */
  protected readonly tracksKeys: boolean;

  constructor(protected readonly plan: ThreadPlan) {
    // 64 streams per shard: MAX_THREADS is 64, so no two threads of any shard share a stream.
    this.random = new Rng(plan.seed * 7919 + (plan.shardIndex ?? 0) * 64 + plan.threadIndex + 1);
    // Built before any connection opens, so generating records never competes with the load.
    this.dataset =
      plan.workload.dataset === undefined ? undefined : buildDatasetPool(plan.workload.dataset, plan.seed);
    const usesType = plan.workload.commands.some((c) => c.template?.includes("{type}") === true);
    const recordTypes: RecordTypes | undefined =
      usesType && this.dataset !== undefined && plan.workload.dataset !== undefined
        ? datasetRecordTypes(plan.workload.dataset, this.dataset)
        : undefined;
    // Connection numbers are distinct over the run's threads, so {seq} never repeats between them.
    this.templateExtras = {
      recordTypes,
      sequenceStart: plan.firstConnection,
      sequenceStep: plan.totalConnections,
    };
    this.maxCommandBytes = new CommandWriter(
      plan.workload,
      this.random,
      0,
      this.dataset,
      this.templateExtras,
    ).maxCommandBytes;
    this.rankedRead = Uint8Array.from(plan.workload.commands, (c) => (readsKeyNumber(c) ? 1 : 0));
    this.tracksKeys =
      (plan.workload.keyPattern === "zipf" || plan.workload.keyPattern === "gaussian") &&
      this.rankedRead.includes(1);
    // A routed engine (cluster, replicas) makes its own connections, several per lane.
    if (plan.topology !== undefined) return;
    for (let i = 0; i < plan.connections; i++) {
      this.connections.push(
        new LoadConnection(i, plan.pipeline, plan.target, this, this.maxCommandBytes, this.tracksKeys),
      );
    }
  }

  /** Connects every connection; rejects with a one-line cause when the first one fails. */
  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let pending = this.connections.length;
      const timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      this.connectWaiter = (error) => {
        if (error !== undefined) {
          clearTimeout(timer);
          this.connectWaiter = undefined;
          reject(new Error(error));
          return;
        }
        if (--pending === 0) {
          clearTimeout(timer);
          this.connectWaiter = undefined;
          resolve();
        }
      };
      for (const c of this.connections) c.connect();
    });
  }

  protected connectWaiter: ((error?: string) => void) | undefined;

  /** Runs one phase to its end (time or quota), then waits for the replies still in flight. */
  runPhase(plan: PhasePlan): Promise<{ recorder: ThreadRecorder; targetLost: boolean }> {
    const prefill = plan.name === "prefill";
    const workload = prefill
      ? { ...this.plan.workload, commands: [{ name: "SET" as const, weight: 1 }] }
      : this.plan.workload;
    const writer = new CommandWriter(
      workload,
      this.random,
      this.plan.firstConnection,
      this.dataset,
      this.templateExtras,
    );
    const keys = plan.keys ?? { first: 0, count: workload.keyMax };
    const chooser = new KeyChooser(
      prefill ? "sequential" : workload.keyPattern,
      keys.count,
      this.random,
      // Sequential walks start spread over the keyspace, one offset per thread.
      prefill
        ? (plan.keyStart ?? 0)
        : Math.floor((keys.count * this.plan.firstConnection) / this.plan.totalConnections),
    );
    const recorder = new ThreadRecorder(workload.commands.length, plan.stages !== undefined);
    const schedule =
      plan.stages !== undefined
        ? new OpenLoopSchedule(plan.stages, this.plan.seed, this.plan.totalConnections, plan.startEpochMs)
        : undefined;
    if (schedule !== undefined && this.rateOverride > 0)
      schedule.setRate(this.rateOverride, plan.startEpochMs);
    // A pause that began before this phase holds it from its start: only that part is shifted.
    if (this.paused) this.pausedAtMs = Math.max(this.pausedAtMs, plan.startEpochMs);
    return new Promise((resolve) => {
      const state: PhaseState = {
        plan,
        writer,
        chooser,
        keyFirst: keys.first,
        recorder,
        popularity:
          this.tracksKeys && !prefill ? new KeyPopularity(workload.keyPattern, keys.count) : undefined,
        schedule,
        issuing: true,
        endEpochMs: plan.endEpochMs ?? Number.POSITIVE_INFINITY,
        startFired: false,
        endTimer: undefined,
        targetLost: false,
        done: () => resolve({ recorder, targetLost: state.targetLost }),
      };
      this.phase = state;
      this.assignQuotas(plan.requests);
      if (schedule !== undefined) this.startSchedule(schedule);
      this.timeoutTimer = setInterval(() => this.checkTimeouts(), TIMEOUT_CHECK_MS);
      const startIn = plan.startEpochMs - epochNowMs();
      setTimeout(() => this.startIssuing(), Math.max(startIn, 0));
    });
  }

  /** Stop sending new operations in the current phase (Ctrl-C, or the main thread's clock). */
  stopIssuing(): void {
    const state = this.phase;
    if (state === undefined || !state.issuing) return;
    // Operations already due but held to share a write (SEND_HOLD_MS) still leave.
    if (state.schedule !== undefined && state.startFired && !this.paused) this.releaseHeld(state);
    state.issuing = false;
    this.clearTick();
    this.maybeFinish();
  }

  /**
   * Holds every new send until resume(): connections stay open, replies in flight are read and
   * recorded, timeouts still count. `atEpochMs` is the main thread's time of the request.
   */
  pause(atEpochMs: number): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedAtMs = atEpochMs;
    this.clearTick();
    const state = this.phase;
    if (state !== undefined) clearTimeout(state.endTimer);
  }

  /**
   * Sends again. Open loop: every intended start and the profile move later by the pause's length,
   * so nothing is due at once (no catch-up burst); the phase's end moves by as much in every mode.
   */
  resume(atEpochMs: number): void {
    if (!this.paused) return;
    this.paused = false;
    const pausedMs = Math.max(0, atEpochMs - this.pausedAtMs);
    const state = this.phase;
    if (state === undefined) return;
    state.endEpochMs += pausedMs;
    const schedule = state.schedule;
    if (schedule !== undefined) {
      schedule.shift(pausedMs);
      this.shiftIntended(pausedMs);
      this.dueMs = this.earliestSendMs();
      if (this.pendingRate > 0) this.restartSchedule(schedule, this.pendingRate, atEpochMs);
    }
    this.pendingRate = 0;
    if (state.startFired) this.startIssuing();
  }

  /**
   * Open loop: one constant rate (ops/s over the run) from `atEpochMs` for the rest of the phase
   * and the phases after it. Intended starts restart from that moment: no burst. A closed-loop
   * phase (prefill) keeps it for the open-loop phases that follow.
   */
  setRate(opsPerSecond: number, atEpochMs: number): void {
    this.rateOverride = opsPerSecond;
    const state = this.phase;
    if (state === undefined || state.schedule === undefined) return;
    if (this.paused) {
      this.pendingRate = opsPerSecond;
      return;
    }
    this.restartSchedule(state.schedule, opsPerSecond, atEpochMs);
    if (!state.issuing || !state.startFired) return;
    this.clearTick();
    this.keepSchedule(state, epochNowMs());
    this.scheduleTick(epochNowMs());
  }

  private restartSchedule(schedule: OpenLoopSchedule, opsPerSecond: number, atEpochMs: number): void {
    schedule.setRate(opsPerSecond, atEpochMs);
    this.startSchedule(schedule);
    this.dueMs = this.earliestSendMs();
  }

  /** Moves every connection's (lane's) next intended start later by `ms`. */
  protected shiftIntended(ms: number): void {
    for (const c of this.connections) {
      c.nextIntendedMs += ms;
      c.followingIntendedMs += ms;
    }
  }

  /** New operations may leave now: the phase issues and is not paused. */
  protected sending(state: PhaseState): boolean {
    return state.issuing && !this.paused;
  }

  /** The current phase's measurements since the last report. */
  takeReport(): IntervalReport | undefined {
    const state = this.phase;
    if (state === undefined) return undefined;
    return this.reportFrom(state.recorder);
  }

  /** A recorder's report since the last one, with what this kind of engine adds to it. */
  reportFrom(recorder: ThreadRecorder): IntervalReport {
    const report = recorder.takeReport(this.connectionsUp());
    // Connection-pool view: read here, once a report, never per operation.
    report.connectionsInUse = connectionsInUse(this.connections);
    report.waitingOps = this.waitingOps(epochNowMs());
    this.addToReport(report);
    return report;
  }

  /** Pool view: operations due and not sent (src/engine/pool-view.ts); 0 in the closed loop. */
  protected waitingOps(nowMs: number): number {
    const state = this.phase;
    if (state === undefined || !state.issuing) return 0;
    const end = state.plan.endEpochMs ?? Number.POSITIVE_INFINITY;
    let waiting = 0;
    for (const c of this.connections)
      waiting += overdueOps(
        c.nextIntendedMs,
        state.schedule,
        end,
        nowMs,
        c.quota,
        MAX_WAITING_COUNTED - waiting,
      );
    return waiting;
  }

  /** Routed engines add redirections and per-node figures. */
  protected addToReport(_report: IntervalReport): void {}

  /**
   * The primary moved (a sentinel failover): every connection is dropped and reconnects to the new
   * address. The target object is shared by all connections of this engine.
   */
  retarget(host: string, port: number): void {
    this.plan.target.host = host;
    this.plan.target.port = port;
    for (const c of this.connections) c.dropConnection();
  }

  /** The main thread read a new topology; only routed engines use it. */
  applyTopology(_topology: Topology): void {}

  protected closed = false;

  close(): void {
    this.closed = true;
    this.clearTick();
    if (this.timeoutTimer !== undefined) clearInterval(this.timeoutTimer);
    for (const c of this.connections) c.destroy();
  }

  /** Re-AUTHs answered on this thread's live connections: succeeded, refused, and the last refusal. */
  readonly reauth = { ok: 0, failed: 0, lastFailure: "" };

  /**
   * New credentials (a refreshed token): every later connection uses them, and each live one sends
   * AUTH in-band at once, between its operations.
   */
  updateCredentials(username: string | undefined, password: string): void {
    // The target object is shared by this thread's connections, so this one change reaches them all.
    this.plan.target.username = username;
    this.plan.target.password = password;
    for (const c of this.connections) c.reauthenticate();
  }

  // ConnectionOwner ------------------------------------------------------------------------------

  onOperationReply(
    connection: LoadConnection,
    command: number,
    intendedMs: number,
    sentMs: number,
    status: number,
  ): void {
    const recorder = this.phase!.recorder;
    recorder.recordReply(command, intendedMs, sentMs, connection.nowMs);
    // Availability counts any reply: a server that answers OOM or NOPERM is up (those failures are
    // judged as errors, and a run where nothing succeeded fails on its own).
    recorder.recordSuccess(connection.nowMs);
    if (status === REPLY_ERROR) {
      recorder.recordErrorReply(command, connection.lastErrorKind);
      return;
    }
    if (status === REPLY_NIL) recorder.nils[command]++;
    const popularity = this.phase!.popularity;
    if (popularity !== undefined && this.rankedRead[command] === 1) {
      const group = popularity.groupOf(connection.replyKey - this.phase!.keyFirst);
      if (status === REPLY_NIL) recorder.groupMisses[group]++;
      else recorder.groupHits[group]++;
    }
  }

  afterReplies(connection: LoadConnection): void {
    const state = this.phase;
    if (state === undefined) return;
    if (state.issuing) {
      if (this.paused) return;
      if (state.schedule === undefined) this.fillClosedLoop(connection, state, connection.nowMs);
      else this.keepSchedule(state, connection.nowMs);
      if (connection.nowMs >= state.endEpochMs) this.stopIssuing();
    } else if (connection.count === 0) {
      this.maybeFinish();
    }
  }

  onConnected(connection: LoadConnection, isReconnect: boolean): void {
    if (!isReconnect) {
      this.connectWaiter?.();
      return;
    }
    const state = this.phase;
    if (state === undefined) return;
    state.recorder.reconnects++;
    if (this.sending(state)) {
      const now = epochNowMs();
      if (state.schedule === undefined) this.fillClosedLoop(connection, state, now);
      else {
        this.sendDue(connection, state, now);
        this.dueMs = this.earliestSendMs();
      }
    }
  }

  onReauthReply(_connection: LoadConnection, errorKind: string): void {
    if (errorKind === "") this.reauth.ok++;
    else {
      // The connection keeps the identity it had; the refusal is reported, the load goes on.
      this.reauth.failed++;
      this.reauth.lastFailure = errorKind;
    }
  }

  onBroken(connection: LoadConnection, kind: string, inFlight: number): void {
    if (this.connectWaiter !== undefined) {
      this.connectWaiter(`${kind} connecting to ${this.plan.target.host}:${this.plan.target.port}`);
      return;
    }
    // Only operations count as errors; a failed reconnect attempt is not an operation.
    const state = this.phase;
    // Counted apart from operations: the series shows an outage as attempts that failed.
    if (state !== undefined) state.recorder.connectionErrors++;
    if (state !== undefined && inFlight > 0) {
      state.recorder.aborted += inFlight;
      state.recorder.countError(kind, inFlight);
    }
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** connection.reconnectAttempts++);
    setTimeout(() => {
      if (this.closed || connection.socket !== null) return;
      connection.connect();
    }, delay);
    this.maybeFinish();
  }

  // Issuing --------------------------------------------------------------------------------------

  /** At the phase's start, and again at each resume. */
  private startIssuing(): void {
    const state = this.phase;
    if (state === undefined) return;
    state.startFired = true;
    if (!state.issuing || this.paused) return;
    const now = epochNowMs();
    if (state.schedule === undefined) this.issueAll(state, now);
    else {
      // keepSchedule, not just issueDue: a first send held for SEND_HOLD_MS, with nothing in
      // flight yet, is slept for rather than left to a 1 ms timer.
      this.dueMs = this.earliestSendMs();
      this.keepSchedule(state, now);
      this.scheduleTick(epochNowMs());
    }
    clearTimeout(state.endTimer);
    if (state.endEpochMs !== Number.POSITIVE_INFINITY) {
      const left = state.endEpochMs - now;
      // Checks the phase: a timer of a phase that ended must not stop the next one.
      state.endTimer = setTimeout(
        () => {
          if (this.phase === state) this.stopIssuing();
        },
        Math.max(left, 0),
      );
    }
    this.maybeFinish();
  }

  /** Closed loop: keep the pipeline full. */
  private fillClosedLoop(c: LoadConnection, state: PhaseState, now: number): void {
    const writer = state.writer;
    const sent = state.recorder.sent;
    while (c.count < c.capacity && c.quota > 0) {
      const command = writer.nextCommand();
      const out = c.reserve();
      const key = state.keyFirst + state.chooser.nextKey();
      c.writePosition = writer.write(out, c.writePosition, command, key);
      if (this.tracksKeys) c.trackKeyed(command, now, now, key);
      else c.track(command, now, now);
      sent[command]++;
      c.quota--;
    }
  }

  /**
   * Open loop: send every operation whose intended start has come, as far as the ring allows, once
   * the connection's release time has come (its first due operation may wait SEND_HOLD_MS for the
   * next ones; `hold` false sends at once).
   */
  private sendDue(c: LoadConnection, state: PhaseState, now: number, hold = true): void {
    if (hold && now < releaseMs(c)) return;
    const writer = state.writer;
    const recorder = state.recorder;
    const schedule = state.schedule!;
    const end = state.endEpochMs;
    while (c.nextIntendedMs <= now && c.nextIntendedMs < end && c.count < c.capacity && c.quota > 0) {
      const intended = c.nextIntendedMs;
      const command = writer.nextCommand();
      const out = c.reserve();
      const key = state.keyFirst + state.chooser.nextKey();
      c.writePosition = writer.write(out, c.writePosition, command, key);
      if (this.tracksKeys) c.trackKeyed(command, intended, now, key);
      else c.track(command, intended, now);
      recorder.sent[command]++;
      recorder.recordSend(now - intended);
      c.quota--;
      c.nextIntendedMs = c.followingIntendedMs;
      c.followingIntendedMs = schedule.nextIntendedMs(c.nextIntendedMs);
    }
  }

  /** The phase ends: what is due leaves now, held or not, one write per connection. */
  protected releaseHeld(state: PhaseState): void {
    const now = epochNowMs();
    for (const c of this.connections) {
      if (!c.up) continue;
      this.sendDue(c, state, now, false);
      c.flush();
    }
  }

  private tick(): void {
    this.tickTimer = undefined;
    const state = this.phase;
    if (state === undefined || !this.sending(state) || state.schedule === undefined) return;
    this.keepSchedule(state, epochNowMs());
    if (this.allQuotaUsed()) {
      this.stopIssuing();
      return;
    }
    this.scheduleTick(epochNowMs());
  }

  /**
   * Open loop, at every wake-up (a timer, a chunk of replies): sends what is due on every
   * connection, one socket write each. When nothing is in flight and the next send is under
   * SLEEP_BELOW_MS away, nothing but a coarse timer could wake the thread in time, so it sleeps
   * until then: no reply can be kept waiting by that sleep, since none is expected.
   */
  protected keepSchedule(state: PhaseState, nowMs: number): void {
    let now = nowMs;
    for (let i = 0; i < MAX_SLEEPS_PER_WAKE; i++) {
      if (now >= this.dueMs) this.issueDue(state, now);
      const wait = this.dueMs - now;
      if (wait <= 0 || wait >= SLEEP_BELOW_MS || this.anyInFlight()) return;
      Atomics.wait(SLEEP_CELL, 0, 0, wait);
      now = epochNowMs();
    }
  }

  /** Operations in flight on any connection (lane)? */
  protected anyInFlight(): boolean {
    for (const c of this.connections) if (c.count > 0) return true;
    return false;
  }

  /** Open loop: every connection sends what is due, then the next wake-up time is known. */
  protected issueDue(state: PhaseState, now: number): void {
    this.issueAll(state, now);
    this.dueMs = this.earliestSendMs();
  }

  /** Every connection (lane) that is up sends what it may now, then flushes. */
  protected issueAll(state: PhaseState, now: number): void {
    for (const c of this.connections) {
      if (!c.up) continue;
      if (state.schedule === undefined) this.fillClosedLoop(c, state, now);
      else this.sendDue(c, state, now);
      c.flush();
    }
  }

  protected startSchedule(schedule: OpenLoopSchedule): void {
    for (const c of this.connections) {
      c.nextIntendedMs = schedule.firstIntendedMs(this.plan.firstConnection + c.index);
      c.followingIntendedMs = schedule.nextIntendedMs(c.nextIntendedMs);
    }
  }

  /** The earliest time any connection (lane) may send: the next wake-up. */
  protected earliestSendMs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const c of this.connections) {
      const release = releaseMs(c);
      if (release < earliest) earliest = release;
    }
    return earliest;
  }

  /** Wakes up for the earliest intended start among the connections. */
  protected scheduleTick(now: number): void {
    const wait = this.dueMs - now;
    if (wait === Number.POSITIVE_INFINITY) return;
    // Timers fire on a 1 ms grid, up to 1 ms after their delay: wake a little early, and sleep
    // or let the replies carry the rest of the way (keepSchedule).
    this.tickTimer = setTimeout(this.onTick, Math.max(1, Math.floor(wait) - 1));
  }

  protected clearTick(): void {
    if (this.tickTimer !== undefined) clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
  }

  protected assignQuotas(requests: number | undefined): void {
    const n = this.connections.length;
    for (const c of this.connections) {
      c.quota =
        requests === undefined
          ? Number.POSITIVE_INFINITY
          : Math.floor(requests / n) + (c.index < requests % n ? 1 : 0);
    }
  }

  protected allQuotaUsed(): boolean {
    for (const c of this.connections) if (c.quota > 0) return false;
    return true;
  }

  // Timeouts, draining, loss of the target ----------------------------------------------------------

  private checkTimeouts(): void {
    const state = this.phase;
    if (state === undefined) return;
    const now = epochNowMs();
    const cutoff = now - this.plan.timeoutMs;
    let allDown = true;
    let lastWentDownMs = 0;
    for (const c of this.connections) {
      if (!c.up) {
        const since = c.downSinceMs > 0 ? c.downSinceMs : now;
        if (since > lastWentDownMs) lastWentDownMs = since;
        continue;
      }
      allDown = false;
      if (c.count === 0 || c.oldestSentMs > cutoff) continue;
      // The oldest operation got no reply in time. Replies come in order, so the connection cannot
      // be trusted any more: count the late ones as timeouts, the rest as aborted, and reconnect.
      const late = c.countSentBefore(cutoff);
      const lost = c.abandonInFlight();
      this.onAbandoned(c, lost);
      state.recorder.timeouts += late;
      state.recorder.countError("timeout", late);
      state.recorder.aborted += lost - late;
      if (lost > late) state.recorder.countError("aborted", lost - late);
      c.destroy();
      c.downSinceMs = now;
      this.onBroken(c, "timeout-reconnect", 0);
    }
    if (allDown && state.issuing && now - lastWentDownMs > TARGET_LOST_AFTER_MS) {
      state.targetLost = true;
      state.issuing = false;
      this.clearTick();
    }
    this.maybeFinish();
  }

  /** A connection gave up on `lost` operations in flight (timeout); a routed engine adjusts its lanes. */
  protected onAbandoned(_connection: LoadConnection, _lost: number): void {}

  protected maybeFinish(): void {
    const state = this.phase;
    if (state === undefined) return;
    if (state.issuing && !this.allQuotaUsed()) return;
    if (state.issuing) {
      state.issuing = false;
      this.clearTick();
    }
    for (const c of this.connections) if (c.up && c.count > 0) return;
    if (this.timeoutTimer !== undefined) clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
    clearTimeout(state.endTimer);
    this.phase = undefined;
    this.lastRecorder = state.recorder;
    state.done();
  }

  /** The recorder of the phase that just ended, for its final report. */
  lastRecorder: ThreadRecorder | undefined;

  protected connectionsUp(): number {
    let up = 0;
    for (const c of this.connections) if (c.up) up++;
    return up;
  }
}

/**
 * When a connection's next operation may leave, epoch ms: its intended start, or SEND_HOLD_MS
 * after it when the one after follows within SEND_HOLD_MS (they then share one write).
 */
function releaseMs(c: LoadConnection): number {
  const next = c.nextIntendedMs;
  return c.followingIntendedMs - next < SEND_HOLD_MS ? next + SEND_HOLD_MS : next;
}
