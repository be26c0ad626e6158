import type { ResourceReport } from "../result/resource-types.js";
import type { RunResult } from "../result/result-types.js";
import { formatBytes, formatCount, formatMs } from "./format.js";

/**
 * The resources of a run as plain lines (terminal summary and Markdown) and as label/value rows
 * (HTML): the server's open files, disk I/O and persistence files, the buffer's depth, and the
 * tool's own memory, descriptors, sockets and event-loop delay. Only what was measured is shown.
 */
export function resourceRows(resources: ResourceReport): [string, string][] {
  const rows: [string, string][] = [];
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined) rows.push([label, value]);
  };
  const bytes = (n?: number) => (n === undefined ? undefined : formatBytes(n));
  const rate = (n?: number) => (n === undefined ? undefined : `${formatBytes(n)}/s`);
  const s = resources.server;
  if (s !== undefined) {
    add(
      "server open files (peak / limit)",
      s.openFdsMax === undefined
        ? undefined
        : `${formatCount(s.openFdsMax)} / ${s.fdLimit === undefined ? "unlimited" : formatCount(s.fdLimit)}`,
    );
    add("server disk reads (peak)", rate(s.readBytesPerSecMax));
    add("server disk writes (peak)", rate(s.writeBytesPerSecMax));
    add("persistence directory", s.persistenceDir);
    add("RDB file (end)", bytes(s.rdbFileBytes));
    add("AOF files (end)", bytes(s.aofFileBytes));
    add("AOF size per INFO (peak)", bytes(s.aofCurrentSizeBytesMax));
    add(
      "disk used where the server persists (peak)",
      s.diskUsedPercentMax === undefined
        ? undefined
        : `${s.diskUsedPercentMax} % of ${bytes(s.diskTotalBytes) ?? "?"} (least free ${bytes(s.diskFreeBytesMin) ?? "?"})`,
    );
    add(
      "server went away",
      s.gone === undefined
        ? undefined
        : s.gone === 0
          ? "no"
          : `${s.gone} time(s)${s.goneAtS ? ` at ${s.goneAtS.map((t) => `${t}s`).join(", ")}` : " (gone at the end)"}`,
    );
  }
  const b = resources.buffer;
  if (b !== undefined) {
    add(
      "streams (peak length / pending)",
      b.note !== undefined && b.streams === 0
        ? b.note
        : `${b.streams} stream(s): ${formatCount(b.streamLengthEntriesMax)} entries, ${formatCount(b.pendingEntriesMax)} pending${b.note ? ` (${b.note})` : ""}`,
    );
  }
  const t = resources.tool;
  add(
    "cachestress RSS / heap used (peak)",
    t.rssBytesMax === undefined
      ? undefined
      : `${formatBytes(t.rssBytesMax)} / ${bytes(t.heapUsedBytesMax) ?? "?"}`,
  );
  add(
    "cachestress open files / sockets (peak)",
    t.openFdsMax === undefined
      ? undefined
      : `${formatCount(t.openFdsMax)} of ${t.fdLimit === undefined ? "unlimited" : formatCount(t.fdLimit)} / ${t.socketsMax ?? "?"} sockets`,
  );
  add(
    "cachestress event-loop delay (worst p99 / max)",
    t.eventLoopDelayP99MsMax === undefined
      ? undefined
      : `${formatMs(t.eventLoopDelayP99MsMax)} ms / ${formatMs(t.eventLoopDelayMaxMs ?? 0)} ms`,
  );
  return rows;
}

export function resourceLines(result: RunResult): string[] {
  if (result.resources === undefined) return [];
  const rows = resourceRows(result.resources);
  if (rows.length === 0) return [];
  const width = Math.max(...rows.map(([label]) => label.length));
  return ["resources:", ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
}
