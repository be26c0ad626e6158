// The layering of src/ (docs/architecture.md): each folder may import only from folders listed
// before it. `npm run lint` runs this; a new folder must be placed in FLOORS before it can import.
const FLOORS = [
  "config", // settings: flags, scenario files, defaults, validation rules
  "core", // ground floor: connection target, clock, redaction, timeouts, admin/target clients, managed redis-server
  "workload", // what the load asks for: keys, values, datasets, rate profiles
  "measure", // histograms and per-interval totals
  "engine", // the hot path: worker threads that send and count
  "probes", // server samples (INFO, /proc)
  "checks", // the configuration audit
  "alerts", // rules, evaluator, notifiers
  "faults", // the fault schedule and proxy
  "result", // the result's shape and its judgments (counts, thresholds, zones, late starts, cost, advice)
  "scenario-checks", // checks that verify a scenario beside the load
  "reports", // renderers: result → Markdown, HTML, CSV
  "run", // the orchestrator: one run from config to result
  "shard", // merging shards' results
  "capacity", // the capacity search: many runs
  "publishers", // metric exports (Prometheus, OTLP, CloudWatch, Azure Monitor)
  "outputs", // event-stream outputs (--events)
  "stream-writer", // the buffer-use-case writer
  "dashboard", // the web dashboard
  "cli", // commands
];

const above = (i) => FLOORS.slice(i + 1);

module.exports = {
  forbidden: [
    ...FLOORS.map((floor, i) => ({
      name: `layering-${floor}`,
      comment: `src/${floor} may import only from the floors below it: ${FLOORS.slice(0, i).join(", ") || "none"}`,
      severity: "error",
      from: { path: `^src/${floor}/` },
      to: { path: `^src/(${above(i).join("|")})/` },
    })),
    {
      name: "unplaced-folder",
      comment: "every folder of src/ has its floor in .dependency-cruiser.cjs (FLOORS)",
      severity: "error",
      from: { path: "^src/[^/]+/", pathNot: `^src/(${FLOORS.join("|")})/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: a type cycle is still a cycle between rooms.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
