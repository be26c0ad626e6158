import { writeFile } from "node:fs/promises";
import * as hdr from "hdr-histogram-js";
import type { PhaseTotals } from "../measure/phase-totals.js";

/**
 * `--hdr-log FILE`: the measured phase's latency as an HdrHistogram interval log, the format
 * HistogramLogAnalyzer and HdrHistogram's own log readers read. Each interval has one untagged line
 * (every command together) and one line per command tagged with its name (`Tag=GET`). Values are
 * microseconds; the max column is in milliseconds (max value unit ratio 1000).
 */

/** Microseconds per millisecond: the log's max column is in ms like the rest of the reports. */
const MAX_VALUE_UNIT_RATIO = 1000;

export class HdrIntervalLog {
  private readonly lines: string[] = [];
  private readonly writer = new hdr.HistogramLogWriter((text) => this.lines.push(text));
  private startEpochMs: number | undefined;

  /** Called with each interval of the measured phase (RunHooks.onMeasuredInterval). */
  add(interval: PhaseTotals, tS: number, spanS: number): void {
    if (this.startEpochMs === undefined) this.startEpochMs = Date.now() - tS * 1000;
    const from = Math.max(0, tS - spanS);
    const all = interval.overallLatency();
    this.writer.outputIntervalHistogram(all, from, tS, MAX_VALUE_UNIT_RATIO);
    interval.commandNames.forEach((name, c) => {
      const histogram = interval.latency[c];
      if (histogram.totalCount === 0) return;
      histogram.tag = name;
      this.writer.outputIntervalHistogram(histogram, from, tS, MAX_VALUE_UNIT_RATIO);
    });
  }

  /** The whole log: header lines first (written last, when the start time is known). */
  text(): string {
    const header: string[] = [];
    const headerWriter = new hdr.HistogramLogWriter((text) => header.push(text));
    headerWriter.outputComment(
      "cachestress latency log: microseconds; Tag=<command> per command, untagged = all",
    );
    headerWriter.outputLogFormatVersion();
    headerWriter.outputStartTime(this.startEpochMs ?? Date.now());
    headerWriter.outputLegend();
    return [...header, ...this.lines].join("");
  }

  async write(path: string): Promise<void> {
    await writeFile(path, this.text(), "utf8");
  }
}
