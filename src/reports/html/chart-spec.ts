/**
 * What a report hands the browser to draw: plain data, no code. The page's script (client-script.ts)
 * turns each ChartSpec into a uPlot chart, so rendering stays a pure function of the result.
 */

export interface ChartSeries {
  label: string;
  /** One value per x; null leaves a gap. */
  values: (number | null)[];
  /** A dashed line, for targets and limits. */
  dashed?: boolean;
}

export interface ChartVariant {
  x: number[];
  series: ChartSeries[];
}

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** x is seconds of the measured part: alert and fault markers are drawn, the cursor syncs. */
  timeAxis?: boolean;
  /** x is 1 / (1 − percentile/100) on a log scale: the HDR percentile curve. */
  percentileAxis?: boolean;
  /** y on a log scale (latency spanning decades). */
  logY?: boolean;
  /** Selectable views (per command); the first is shown first. */
  variants: Record<string, ChartVariant>;
  /** Vertical lines at x values (the knee, the last good rate). */
  vlines?: { x: number; label: string }[];
}

/** Alert events and faults, drawn on every time-axis chart. */
export interface Marker {
  fromS: number;
  /** Equal to fromS for an instant (an alert firing). */
  toS: number;
  label: string;
  kind: "alert" | "fault" | "failover";
}

export interface ReportData {
  charts: ChartSpec[];
  markers: Marker[];
  /** [from, to] seconds shared by every time-axis chart, so their x axes line up. */
  timeRange?: [number, number];
}

/** Counts the points a chart would draw, for a check that a chart is not empty. */
export function countPoints(spec: ChartSpec): number {
  const first = Object.values(spec.variants)[0];
  if (first === undefined) return 0;
  return first.series.reduce(
    (n, s) => n + s.values.filter((v) => v !== null && Number.isFinite(v)).length,
    0,
  );
}
