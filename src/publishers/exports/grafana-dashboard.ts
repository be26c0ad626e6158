/**
 * `cachestress export grafana`: a dashboard (Grafana JSON model, importable as is) for the
 * cachestress_ client metrics beside the server's redis_exporter-named ones, with a `run` variable.
 * It sits next to the redis_exporter dashboard (Grafana 763), which works on the same server series.
 */

interface Panel {
  title: string;
  unit: string;
  targets: { expr: string; legend: string }[];
}

const RUN = 'run=~"$run"';

const PANELS: Panel[] = [
  {
    title: "Operations per second by command",
    unit: "ops",
    targets: [
      {
        expr: `sum by (command) (rate(cachestress_operations_total{${RUN}}[$__rate_interval]))`,
        legend: "{{command}}",
      },
    ],
  },
  {
    title: "Latency p50 / p99 / p99.9 (from the HDR counts)",
    unit: "s",
    targets: [0.5, 0.99, 0.999].map((q) => ({
      expr: `histogram_quantile(${q}, sum by (le) (rate(cachestress_latency_seconds_bucket{${RUN}}[$__rate_interval])))`,
      legend: `p${q * 100}`,
    })),
  },
  {
    title: "p99 latency by command",
    unit: "s",
    targets: [
      {
        expr: `histogram_quantile(0.99, sum by (le, command) (rate(cachestress_latency_seconds_bucket{${RUN}}[$__rate_interval])))`,
        legend: "{{command}}",
      },
    ],
  },
  {
    title: "Errors and timeouts, % of operations",
    unit: "percent",
    targets: [
      {
        expr: `100 * sum(rate(cachestress_errors_total{${RUN}}[$__rate_interval])) / sum(rate(cachestress_operations_total{${RUN}}[$__rate_interval]))`,
        legend: "errors",
      },
      {
        expr: `100 * sum(rate(cachestress_timeouts_total{${RUN}}[$__rate_interval])) / sum(rate(cachestress_operations_total{${RUN}}[$__rate_interval]))`,
        legend: "timeouts",
      },
    ],
  },
  {
    title: "Server memory used / maxmemory",
    unit: "bytes",
    targets: [
      { expr: `redis_memory_used_bytes{${RUN}}`, legend: "used {{node}}" },
      { expr: `redis_memory_max_bytes{${RUN}} > 0`, legend: "max {{node}}" },
    ],
  },
  {
    title: "Hit ratio",
    unit: "percentunit",
    targets: [
      {
        expr: `rate(redis_keyspace_hits_total{${RUN}}[$__rate_interval]) / (rate(redis_keyspace_hits_total{${RUN}}[$__rate_interval]) + rate(redis_keyspace_misses_total{${RUN}}[$__rate_interval]))`,
        legend: "{{node}}",
      },
    ],
  },
  {
    title: "Connected clients",
    unit: "short",
    targets: [{ expr: `redis_connected_clients{${RUN}}`, legend: "{{node}}" }],
  },
  {
    title: "Evicted and expired keys per second",
    unit: "short",
    targets: [
      { expr: `rate(redis_evicted_keys_total{${RUN}}[$__rate_interval])`, legend: "evicted {{node}}" },
      { expr: `rate(redis_expired_keys_total{${RUN}}[$__rate_interval])`, legend: "expired {{node}}" },
    ],
  },
];

export function grafanaDashboard(): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, not a JS template.
  const datasource = { type: "prometheus", uid: "${datasource}" };
  const dashboard = {
    title: "cachestress",
    uid: "cachestress",
    tags: ["cachestress", "redis"],
    timezone: "browser",
    schemaVersion: 39,
    refresh: "5s",
    time: { from: "now-30m", to: "now" },
    templating: {
      list: [
        { name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" },
        {
          name: "run",
          type: "query",
          datasource,
          query: "label_values(cachestress_run_info, run)",
          includeAll: true,
          multi: true,
          refresh: 2,
          label: "run",
        },
      ],
    },
    panels: PANELS.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      datasource,
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource,
        expr: t.expr,
        legendFormat: t.legend,
      })),
    })),
  };
  return JSON.stringify(dashboard, null, 2);
}
