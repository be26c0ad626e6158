/**
 * The resource figures of a run (result.resources, docs/zones.md "Resources"): the server's open
 * files, disk I/O and persistence files when it runs on this host, the depth of the run's streams,
 * and cachestress's own memory, descriptors, sockets and event-loop delay. Every field is absent
 * when it could not be measured — never 0 in its place.
 */

/** One sample per measured interval; tS as in the series (s since the measured part started). */
export interface ResourceSample {
  tS: number;
  toolRssBytes?: number;
  toolHeapUsedBytes?: number;
  toolOpenFds?: number;
  toolSockets?: number;
  /** The main thread's event-loop delay over the interval, ms (the engine threads' is in openLoop). */
  toolEventLoopDelayP99Ms?: number;
  toolEventLoopDelayMaxMs?: number;
  rdbFileBytes?: number;
  aofFileBytes?: number;
  diskUsedPercent?: number;
  diskFreeBytes?: number;
  streamLengthEntries?: number;
  pendingEntries?: number;
}

export interface ResourceReport {
  server?: {
    pid?: number;
    /** Peak open descriptors and the soft limit (server samples, /proc/PID/fd and /proc/PID/limits). */
    openFdsMax?: number;
    fdLimit?: number;
    /** Peak disk I/O rates, bytes/s (/proc/PID/io read_bytes, write_bytes). */
    readBytesPerSecMax?: number;
    writeBytesPerSecMax?: number;
    persistenceDir?: string;
    /** At the end of the run. */
    rdbFileBytes?: number;
    aofFileBytes?: number;
    /** INFO persistence aof_current_size, peak. */
    aofCurrentSizeBytesMax?: number;
    diskTotalBytes?: number;
    diskUsedPercentMax?: number;
    diskFreeBytesMin?: number;
    /** Times the server process was found gone without the tool having restarted it. */
    gone?: number;
    goneAtS?: number[];
  };
  tool: {
    rssBytesMax?: number;
    heapUsedBytesMax?: number;
    openFdsMax?: number;
    fdLimit?: number;
    socketsMax?: number;
    eventLoopDelayP99MsMax?: number;
    eventLoopDelayMaxMs?: number;
  };
  buffer?: {
    streams: number;
    streamLengthEntriesMax: number;
    pendingEntriesMax: number;
    note?: string;
  };
  series: ResourceSample[];
}
