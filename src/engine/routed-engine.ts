import { NodeRecorder } from "../measure/node-recorder.js";
import type { IntervalReport } from "../measure/thread-recorder.js";
import { KeySlotter, SLOT_COUNT } from "./key-slot.js";
import { epochNowMs, INTERNAL_COMMAND, LoadConnection } from "./load-connection.js";
import { LoadEngine, type PhaseState } from "./load-engine.js";
import type { OpenLoopSchedule } from "./open-loop-schedule.js";
import { MAX_WAITING_COUNTED, overdueOps } from "./pool-view.js";
import { REPLY_ERROR } from "./reply-parser.js";
import type { ThreadPlan } from "./thread-plan.js";
import { nodeName, type Topology } from "./topology.js";

/** Redirections a cluster answers with instead of a result; each is followed, not counted as an error. */
const REDIRECT_KINDS = new Set(["MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN"]);
/** TRYAGAIN / CLUSTERDOWN: first wait and ceiling before sending again, ms. */
const RETRY_FIRST_MS = 10;
const RETRY_MAX_MS = 500;
/** At most one topology refresh request per this long, ms. */
const STALE_NOTICE_MS = 200;
const ASKING = Buffer.from("*1\r\n$6\r\nASKING\r\n");

/** An operation waiting to be sent (again): redirected, or its node's connection is not up. */
interface PendingOp {
  command: number;
  key: number;
  intendedMs: number;
  sentMs: number;
  /** ASK: the node that must get ASKING + the command; -1 = route by the slot map. */
  askNode: number;
  notBeforeMs: number;
}

/** One logical connection: a socket to each node it has needed, `pipeline` operations in flight over all of them. */
class Lane {
  readonly members: (LoadConnection | undefined)[] = [];
  /** Operations in flight on the members plus those waiting in `pending`. */
  count = 0;
  quota = 0;
  nextIntendedMs = 0;
  pending: PendingOp[] = [];
  retryTimer: NodeJS.Timeout | undefined;
  constructor(readonly index: number) {}
}

/**
 * The load engine for targets where the key decides the server: a Redis Cluster (each key's slot
 * belongs to one primary; MOVED/ASK are followed, TRYAGAIN/CLUSTERDOWN retried with backoff, the
 * slot map updated from the redirection at once and from the main thread's refresh), or any
 * primary whose replicas serve the reads (`--read-from replicas`). Latency of a redirected
 * operation runs from its first send to its final reply, as an application would see it.
 */
export class RoutedLoadEngine extends LoadEngine {
  private readonly lanes: Lane[] = [];
  private readonly nodes: { host: string; port: number; replica: boolean }[] = [];
  private readonly nodeIndexByName = new Map<string, number>();
  private readonly slotOwner = new Int32Array(SLOT_COUNT).fill(-1);
  private replicasOf: number[][] = [];
  private replicaCursor = 0;
  private readonly isCluster: boolean;
  private readonly slotter: KeySlotter;
  /** Per physical connection (by its index): its lane and node. */
  private readonly laneOf: Lane[] = [];
  private readonly nodeOf: number[] = [];
  private readonly nodeRecorder: NodeRecorder;
  private redirects = new Map<string, number>();
  private redirectReplies: Float64Array;
  private lastStaleNoticeMs = 0;

  constructor(
    plan: ThreadPlan,
    private readonly onStale: () => void,
  ) {
    super(plan);
    const topology = plan.topology!;
    this.isCluster = topology.kind === "cluster";
    this.slotter = new KeySlotter(plan.workload.prefix, String(Math.max(0, plan.workload.keyMax - 1)).length);
    this.nodeRecorder = new NodeRecorder((node) => nodeName(this.nodes[node]));
    this.redirectReplies = new Float64Array(plan.workload.commands.length);
    this.applyTopology(topology);
    for (let i = 0; i < plan.connections; i++) {
      const lane = new Lane(i);
      this.lanes.push(lane);
      // Connect up front to every primary, and to the replicas when they serve reads.
      for (let node = 0; node < this.nodes.length; node++) {
        if (!this.nodes[node].replica || plan.readFrom === "replicas") this.member(lane, node, false);
      }
    }
  }

  override applyTopology(topology: Topology): void {
    const local = topology.nodes.map((n) => this.nodeIndex(n.host, n.port, n.role === "replica"));
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const owner = topology.slotOwner[slot];
      this.slotOwner[slot] = owner >= 0 ? local[owner] : -1;
    }
    const replicasOf: number[][] = this.nodes.map(() => []);
    topology.nodes.forEach((n, i) => {
      if (n.role === "replica" && n.primary !== undefined) replicasOf[local[n.primary]].push(local[i]);
    });
    this.replicasOf = replicasOf;
    // Operations waiting for a node that was down may have somewhere to go now.
    const state = this.phase;
    if (state !== undefined) for (const lane of this.lanes) this.serviceLane(lane, state, epochNowMs());
  }

  private nodeIndex(host: string, port: number, replica: boolean): number {
    const name = nodeName({ host, port });
    let index = this.nodeIndexByName.get(name);
    if (index === undefined) {
      index = this.nodes.length;
      this.nodes.push({ host, port, replica });
      this.nodeIndexByName.set(name, index);
      this.replicasOf.push([]);
    } else {
      this.nodes[index].replica = replica;
    }
    return index;
  }

  /** The lane's connection to `node`, made (and connected) on first use. */
  private member(lane: Lane, node: number, connectNow = true): LoadConnection {
    const existing = lane.members[node];
    if (existing !== undefined) return existing;
    const n = this.nodes[node];
    const target = { ...this.plan.target, host: n.host, port: n.port, readOnly: n.replica };
    // Room for the whole lane's pipeline on one node, plus an ASKING before each operation.
    const connection = new LoadConnection(
      this.connections.length,
      this.plan.pipeline * 2,
      target,
      this,
      this.maxCommandBytes,
      true,
    );
    this.connections.push(connection);
    this.laneOf.push(lane);
    this.nodeOf.push(node);
    lane.members[node] = connection;
    if (connectNow) connection.connect();
    return connection;
  }

  /** Where an operation goes: its slot's primary, or for a read with --read-from replicas one of its replicas. */
  private route(command: number, key: number, writer: PhaseState["writer"]): number {
    let primary = 0;
    if (this.isCluster) {
      // A template's key argument may differ from `{key}` ({prefix}events:post); without one, the
      // operation goes where its key number would: spread over the primaries.
      const slot = writer.templateSlotOf(command, key);
      primary = this.slotOwner[slot >= 0 ? slot : this.slotter.slotOf(key)];
    }
    if (primary < 0 || this.plan.readFrom !== "replicas" || writer.isWrite(command)) return primary;
    const replicas = this.replicasOf[primary];
    if (replicas.length === 0) return primary;
    this.replicaCursor = this.replicaCursor + 1 >= replicas.length ? 0 : this.replicaCursor + 1;
    return replicas[this.replicaCursor];
  }

  /** Writes one operation to its node's connection, or parks it when that connection cannot take it. */
  private send(lane: Lane, state: PhaseState, op: PendingOp): boolean {
    const node = op.askNode >= 0 ? op.askNode : this.route(op.command, op.key, state.writer);
    if (node < 0) return false;
    const c = this.member(lane, node);
    if (!c.up || c.count + 2 > c.capacity) return false;
    const out = c.reserve();
    let pos = c.writePosition;
    if (op.askNode >= 0) {
      out.set(ASKING, pos);
      pos += ASKING.length;
      c.trackKeyed(INTERNAL_COMMAND, 0, 0, 0);
    }
    c.writePosition = state.writer.write(out, pos, op.command, op.key);
    c.trackKeyed(op.command, op.intendedMs, op.sentMs, op.key);
    state.recorder.sent[op.command]++;
    return true;
  }

  private sendNew(
    lane: Lane,
    state: PhaseState,
    command: number,
    key: number,
    intendedMs: number,
    now: number,
  ) {
    lane.count++;
    lane.quota--;
    const op: PendingOp = { command, key, intendedMs, sentMs: now, askNode: -1, notBeforeMs: 0 };
    if (!this.send(lane, state, op)) lane.pending.push(op);
  }

  /** Sends what waits, then (while issuing) new operations, then flushes every member. */
  private serviceLane(lane: Lane, state: PhaseState, now: number): void {
    if (lane.pending.length > 0) this.sendPending(lane, state, now);
    if (this.sending(state)) {
      if (state.schedule === undefined) this.fillLane(lane, state, now);
      else this.sendDueLane(lane, state, now);
    }
    for (const c of lane.members) if (c !== undefined) c.flush();
  }

  private sendPending(lane: Lane, state: PhaseState, now: number): void {
    const waiting = lane.pending;
    lane.pending = [];
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const op of waiting) {
      if (now - op.sentMs > this.plan.timeoutMs) {
        // Nowhere to send it in time (its node is down and no new owner is known): a timeout.
        lane.count--;
        state.recorder.timeouts++;
        state.recorder.countError("timeout", 1);
        continue;
      }
      if (op.notBeforeMs <= now && this.send(lane, state, op)) continue;
      lane.pending.push(op);
      wakeAt = Math.min(wakeAt, Math.max(op.notBeforeMs, now + RETRY_FIRST_MS));
    }
    if (lane.pending.length > 0 && lane.retryTimer === undefined) {
      lane.retryTimer = setTimeout(
        () => {
          lane.retryTimer = undefined;
          const current = this.phase;
          if (current === undefined || this.closed) return;
          this.serviceLane(lane, current, epochNowMs());
          this.maybeFinish();
        },
        Math.max(1, wakeAt - now),
      );
    }
  }

  private fillLane(lane: Lane, state: PhaseState, now: number): void {
    const pipeline = this.plan.pipeline;
    while (lane.count < pipeline && lane.quota > 0) {
      this.sendNew(lane, state, state.writer.nextCommand(), state.chooser.nextKey(), now, now);
    }
  }

  private sendDueLane(lane: Lane, state: PhaseState, now: number): void {
    const schedule = state.schedule!;
    const end = state.endEpochMs;
    const pipeline = this.plan.pipeline;
    while (
      lane.nextIntendedMs <= now &&
      lane.nextIntendedMs < end &&
      lane.count < pipeline &&
      lane.quota > 0
    ) {
      const intended = lane.nextIntendedMs;
      state.recorder.recordSend(now - intended);
      this.sendNew(lane, state, state.writer.nextCommand(), state.chooser.nextKey(), intended, now);
      lane.nextIntendedMs = schedule.nextIntendedMs(intended);
    }
  }

  // LoadEngine hooks ---------------------------------------------------------------------------

  protected override issueAll(state: PhaseState, now: number): void {
    for (const lane of this.lanes) this.serviceLane(lane, state, now);
  }

  protected override startSchedule(schedule: OpenLoopSchedule): void {
    for (const lane of this.lanes) {
      lane.nextIntendedMs = schedule.firstIntendedMs(this.plan.firstConnection + lane.index);
    }
  }

  /** Lanes send each operation on its own start (no SEND_HOLD_MS): nothing is ever held. */
  protected override releaseHeld(_state: PhaseState): void {}

  protected override shiftIntended(ms: number): void {
    for (const lane of this.lanes) lane.nextIntendedMs += ms;
  }

  /** Lanes never hold a send: the earliest intended start is the earliest send. */
  protected override earliestSendMs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const lane of this.lanes) if (lane.nextIntendedMs < earliest) earliest = lane.nextIntendedMs;
    return earliest;
  }

  protected override assignQuotas(requests: number | undefined): void {
    const n = this.lanes.length;
    for (const lane of this.lanes) {
      lane.quota =
        requests === undefined
          ? Number.POSITIVE_INFINITY
          : Math.floor(requests / n) + (lane.index < requests % n ? 1 : 0);
    }
  }

  protected override allQuotaUsed(): boolean {
    for (const lane of this.lanes) if (lane.quota > 0) return false;
    return true;
  }

  protected override onAbandoned(connection: LoadConnection, lost: number): void {
    this.laneOf[connection.index].count -= lost;
    if (lost > 0) this.nodeRecorder.countError(this.nodeOf[connection.index], "timeout", lost);
  }

  protected override maybeFinish(): void {
    for (const lane of this.lanes) if (lane.pending.length > 0) return;
    super.maybeFinish();
  }

  /** Pool view: operations held for a node (redirection, retry) plus, open loop, those due and not sent. */
  protected override waitingOps(nowMs: number): number {
    const state = this.phase;
    if (state === undefined) return 0;
    const end = state.plan.endEpochMs ?? Number.POSITIVE_INFINITY;
    let waiting = 0;
    for (const lane of this.lanes) {
      waiting += lane.pending.length;
      if (state.issuing)
        waiting += overdueOps(
          lane.nextIntendedMs,
          state.schedule,
          end,
          nowMs,
          lane.quota,
          MAX_WAITING_COUNTED,
        );
    }
    return waiting;
  }

  protected override addToReport(report: IntervalReport): void {
    report.redirects = Object.fromEntries(this.redirects);
    report.redirectReplies = Array.from(this.redirectReplies);
    report.byNode = this.nodeRecorder.takeReport();
    this.redirects = new Map();
    this.redirectReplies.fill(0);
  }

  // ConnectionOwner ------------------------------------------------------------------------------

  override onOperationReply(
    connection: LoadConnection,
    command: number,
    intendedMs: number,
    sentMs: number,
    status: number,
  ): void {
    const lane = this.laneOf[connection.index];
    const node = this.nodeOf[connection.index];
    lane.count--;
    if (status === REPLY_ERROR) {
      const kind = connection.lastErrorKind;
      if (
        REDIRECT_KINDS.has(kind) &&
        this.followRedirect(connection, lane, kind, command, intendedMs, sentMs)
      )
        return;
      this.nodeRecorder.recordReply(node, connection.nowMs - intendedMs, kind);
    } else {
      this.nodeRecorder.recordReply(node, connection.nowMs - intendedMs, undefined);
    }
    super.onOperationReply(connection, command, intendedMs, sentMs, status);
  }

  /**
   * Queues a redirected operation to be sent again; false when it is older than the timeout (a
   * cluster that keeps redirecting it), and then the redirection counts as its error reply.
   */
  private followRedirect(
    connection: LoadConnection,
    lane: Lane,
    kind: string,
    command: number,
    intendedMs: number,
    sentMs: number,
  ): boolean {
    const now = connection.nowMs;
    if (now - sentMs > this.plan.timeoutMs) return false;
    this.redirects.set(kind, (this.redirects.get(kind) ?? 0) + 1);
    this.redirectReplies[command]++;
    const op: PendingOp = {
      command,
      key: connection.replyKey,
      intendedMs,
      sentMs,
      askNode: -1,
      notBeforeMs: now,
    };
    if (kind === "MOVED" || kind === "ASK") {
      // `MOVED 3999 127.0.0.1:6381`: the slot and its owner (an empty host means this connection's).
      const [, slotText, address] = connection.lastErrorLine().split(" ");
      const colon = address?.lastIndexOf(":") ?? -1;
      if (colon >= 0) {
        const host = address.slice(0, colon) || connection.address.host;
        const node = this.nodeIndex(host, Number(address.slice(colon + 1)), false);
        if (kind === "MOVED") this.slotOwner[Number(slotText)] = node;
        else op.askNode = node;
      }
      if (kind === "MOVED" && now - this.lastStaleNoticeMs > STALE_NOTICE_MS) {
        this.lastStaleNoticeMs = now;
        this.onStale();
      }
    } else {
      // TRYAGAIN / CLUSTERDOWN: back off, longer the longer the operation has been waiting.
      op.notBeforeMs = now + Math.min(RETRY_MAX_MS, Math.max(RETRY_FIRST_MS, (now - sentMs) / 2));
    }
    lane.count++;
    lane.pending.push(op);
    return true;
  }

  override afterReplies(connection: LoadConnection): void {
    const state = this.phase;
    if (state === undefined) return;
    const lane = this.laneOf[connection.index];
    this.serviceLane(lane, state, connection.nowMs);
    if (this.sending(state) && connection.nowMs >= state.endEpochMs) {
      this.stopIssuing();
    } else if (!state.issuing && lane.count === 0) {
      this.maybeFinish();
    }
  }

  override onConnected(connection: LoadConnection, isReconnect: boolean): void {
    if (!isReconnect) this.connectWaiter?.();
    const state = this.phase;
    if (state === undefined) return;
    if (isReconnect) state.recorder.reconnects++;
    this.serviceLane(this.laneOf[connection.index], state, epochNowMs());
  }

  override onBroken(connection: LoadConnection, kind: string, inFlight: number): void {
    if (inFlight > 0) {
      this.laneOf[connection.index].count -= inFlight;
      this.nodeRecorder.countError(this.nodeOf[connection.index], kind, inFlight);
    }
    super.onBroken(connection, kind, inFlight);
  }

  /** Every member has its own copy of the target (its node's address): each gets the new credentials. */
  override updateCredentials(username: string | undefined, password: string): void {
    for (const c of this.connections) {
      c.address.username = username;
      c.address.password = password;
    }
    super.updateCredentials(username, password);
  }

  override close(): void {
    for (const lane of this.lanes) if (lane.retryTimer !== undefined) clearTimeout(lane.retryTimer);
    super.close();
  }
}
