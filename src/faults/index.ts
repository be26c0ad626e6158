/**
 * Faults during a run (docs/faults.md): the scenario's `faults:` schedule, the TCP fault proxy
 * between the load and the server, the runner that applies each fault on time, and the per-fault
 * report computed from the run's series.
 */

export {
  type BandwidthFault,
  type DropFault,
  FaultProxy,
  type FaultProxyOptions,
  type LatencyFault,
  type ProxyDirection,
  type ProxyStats,
} from "./fault-proxy.js";
export { type FaultReport, type FaultReportOptions, faultReports } from "./fault-report.js";
export { type FaultContext, faultRequirementProblems } from "./fault-requirements.js";
export { type FaultRecord, FaultRunner, type FaultRunnerOptions } from "./fault-runner.js";
export {
  FAULT_KINDS,
  type FaultKind,
  type FaultSpec,
  parseFaultSchedule,
  type ScheduledFault,
} from "./fault-schedule.js";
