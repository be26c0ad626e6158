import {
  checkAppendfsync,
  checkAppendonly,
  checkMaxmemory,
  checkPolicy,
  checkSave,
  finding,
  OK,
} from "./audit-memory-checks.js";
import { bindIsLoopbackOnly, isLoopbackHost, parseOutputBufferLimits, wholeNumber } from "./audit-values.js";

/**
 * The production config audit as data: one rule per setting, each with the value recommended for
 * the use case (REFERENCE-metrics.md, "Production config audit") and a check that says how bad a
 * departure from it is. The wording is written for the person who has to change the setting.
 */

export const AUDIT_PROFILES = ["cache", "buffer", "session"] as const;
/** cache: data can be rebuilt; buffer: a durable queue that must not lose data; session: a session store. */
export type AuditProfile = (typeof AUDIT_PROFILES)[number];

/** `high` fails the audit (exit 1); the others are advice. */
export type Severity = "high" | "medium" | "low" | "info";

/** What a check may look at besides the value of its own setting. */
export interface AuditContext {
  profile: AuditProfile;
  /** Another setting's value as read (CONFIG GET, or INFO when CONFIG is blocked), or undefined. */
  get(setting: string): string | undefined;
  info: Readonly<Record<string, string>>;
  aclDefaultNopass?: boolean;
  /** net.core.somaxconn of the server's host, when the server runs on this host. */
  somaxconn?: number;
  /** Kernel settings of the server's host (/proc, /sys), when the server runs on this host. */
  hostKernel?: HostKernelSettings;
  /** The host the audit connected to, for when `bind` cannot be read. */
  targetHost?: string;
}

export interface HostKernelSettings {
  /** /proc/sys/vm/overcommit_memory: 0 heuristic, 1 always, 2 never. */
  overcommitMemory?: string;
  /** The selected mode of /sys/kernel/mm/transparent_hugepage/enabled: always, madvise or never. */
  transparentHugepage?: string;
}

export type RuleOutcome = { ok: true; why?: string } | { ok: false; severity: Severity; why: string };

export interface AuditRule {
  setting: string;
  recommended: Readonly<Record<AuditProfile, string>>;
  /** Why the setting matters at all; shown when the value is fine or could not be read. */
  why: string;
  /** The INFO field that carries the same value when CONFIG GET is blocked, and how to turn it into CONFIG's form. */
  infoFallback?: { field: string; toConfig?: (value: string) => string };
  /** For a row that is not a CONFIG parameter; by default the value is CONFIG GET <setting>. */
  read?(ctx: AuditContext): string | undefined;
  /** Where `read` gets its value, for the report (default: ACL). */
  readSource?: "acl" | "host";
  check(value: string, ctx: AuditContext): RuleOutcome;
}

const same = (text: string): Record<AuditProfile, string> => ({ cache: text, buffer: text, session: text });

function checkDefaultUser(value: string, ctx: AuditContext): RuleOutcome {
  if (value !== "nopass") return OK;
  const bind = ctx.get("bind");
  const loopbackOnly =
    bind !== undefined
      ? bindIsLoopbackOnly(bind)
      : ctx.targetHost !== undefined && isLoopbackHost(ctx.targetHost);
  return loopbackOnly
    ? finding("medium", "anyone on this host can connect as the default user without a password")
    : finding(
        "high",
        "anyone who can reach the port can read, write and flush everything without a password",
      );
}

function checkOutputBuffers(value: string): RuleOutcome {
  const limits = parseOutputBufferLimits(value);
  const unlimited = ["replica", "pubsub"].filter(
    (c) => limits[c]?.hardBytes === 0 && limits[c]?.softBytes === 0,
  );
  if (unlimited.length === 0) return OK;
  return finding(
    "medium",
    `no limit for ${unlimited.join(" and ")} clients: one slow ${unlimited.join("/")} client grows its buffer until the server runs out of memory`,
  );
}

export const AUDIT_RULES: readonly AuditRule[] = [
  {
    setting: "maxmemory",
    recommended: same("set, with headroom below host memory"),
    why: "the limit at which the eviction policy (or OOM errors) takes over",
    infoFallback: { field: "maxmemory" },
    check: checkMaxmemory,
  },
  {
    setting: "maxmemory-policy",
    recommended: {
      cache: "allkeys-lru (allkeys-lfu for skewed keys)",
      buffer: "noeviction + alert at 80 % memory",
      session: "volatile-lru or volatile-ttl, TTL on every key",
    },
    why: "what happens to writes and keys when maxmemory is reached",
    infoFallback: { field: "maxmemory_policy" },
    check: checkPolicy,
  },
  {
    setting: "appendonly",
    recommended: { cache: "no", buffer: "yes", session: "yes, or RDB snapshots" },
    why: "whether every write is logged to disk and replayed after a restart",
    infoFallback: { field: "aof_enabled", toConfig: (v) => (v === "1" ? "yes" : "no") },
    check: checkAppendonly,
  },
  {
    setting: "appendfsync",
    recommended: { cache: "everysec (unused)", buffer: "everysec", session: "everysec" },
    why: "how much acknowledged data a crash can lose",
    check: checkAppendfsync,
  },
  {
    setting: "save",
    recommended: { cache: '"" or rare (3600 1)', buffer: "keep snapshots beside the AOF", session: "keep" },
    why: "RDB snapshots: a second copy of the data and the fastest restart",
    check: checkSave,
  },
  {
    setting: "timeout",
    recommended: same("0 (keep)"),
    why: "idle client connections are closed after this many seconds",
    check: (v) =>
      wholeNumber(v) === 0
        ? OK
        : finding("low", `idle pooled connections are closed after ${v} s; clients must reconnect`),
  },
  {
    setting: "tcp-keepalive",
    recommended: same("300 (keep)"),
    why: "how soon connections of vanished clients are detected and freed",
    check(v) {
      const seconds = wholeNumber(v);
      if (seconds === 0)
        return finding("medium", "dead peers are never detected; their connections count against maxclients");
      if (seconds !== undefined && seconds > 300)
        return finding("low", "dead peers take longer than 5 min to detect");
      return OK;
    },
  },
  {
    setting: "tcp-backlog",
    recommended: same("511; raise with somaxconn for many connects"),
    why: "the queue of connections waiting to be accepted during a connection storm",
    check(v, ctx) {
      const backlog = wholeNumber(v);
      if (ctx.somaxconn === undefined)
        return { ok: true, why: "net.core.somaxconn of the server's host is not readable from here" };
      if (backlog !== undefined && backlog > ctx.somaxconn)
        return finding(
          "low",
          `the kernel caps it at net.core.somaxconn = ${ctx.somaxconn}; raise both together`,
        );
      return { ok: true, why: `within net.core.somaxconn = ${ctx.somaxconn}` };
    },
  },
  {
    setting: "protected-mode",
    recommended: same("yes"),
    why: "refuses non-loopback clients while the default user has no password",
    check: (v, ctx) =>
      v.toLowerCase() === "no" && ctx.aclDefaultNopass !== false
        ? finding("medium", "off: a password-less default user answers anyone who can reach the port")
        : OK,
  },
  {
    setting: "default-user",
    recommended: same("needs a password, or off (ACL users)"),
    why: "whether a client can connect without any credentials (ACL GETUSER default)",
    read: (ctx) =>
      ctx.aclDefaultNopass === undefined ? undefined : ctx.aclDefaultNopass ? "nopass" : "password or off",
    check: checkDefaultUser,
  },
  {
    setting: "requirepass",
    recommended: same("set, or ACL users with passwords"),
    why: "the default user's password (legacy AUTH)",
    check: (v, ctx) =>
      v !== "" || ctx.aclDefaultNopass === false
        ? OK
        : finding("low", "no password for the default user (see default-user)"),
  },
  {
    setting: "latency-monitor-threshold",
    recommended: same("100 (ms) during tests"),
    why: "LATENCY LATEST/DOCTOR record server-side spikes above this many ms",
    check: (v) =>
      wholeNumber(v) === 0
        ? finding(
            "low",
            "off: server-side latency spikes are not recorded, so they cannot be told apart from network ones",
          )
        : OK,
  },
  {
    setting: "slowlog-log-slower-than",
    recommended: same("10000 (µs) or less, not 0"),
    why: "commands slower than this many µs go to SLOWLOG",
    check(v) {
      const us = wholeNumber(v);
      if (us === undefined) return OK;
      if (us < 0) return finding("low", "the slow log is off");
      if (us === 0) return finding("low", "every command is logged: the slow ones are pushed out at once");
      if (us > 10_000) return finding("low", "commands slower than 10 ms go unlogged");
      return OK;
    },
  },
  {
    setting: "slowlog-max-len",
    recommended: same("128 or more"),
    why: "how many slow commands SLOWLOG keeps",
    check: (v) =>
      (wholeNumber(v) ?? 128) < 128 ? finding("low", "too short to hold a burst of slow commands") : OK,
  },
  {
    setting: "client-output-buffer-limit",
    recommended: same("replica and pubsub limited (the defaults)"),
    why: "how far a slow reader's output buffer may grow before it is disconnected",
    check: checkOutputBuffers,
  },
  {
    setting: "maxclients",
    recommended: same("peak connections × 1.25 or more"),
    why: "connections beyond it are refused",
    infoFallback: { field: "maxclients" },
    check(v, ctx) {
      const max = wholeNumber(v);
      const connected = wholeNumber(ctx.info.connected_clients);
      if (max === undefined || connected === undefined || connected < max * 0.8) return OK;
      return finding(
        "medium",
        `${connected} clients connected, over 80 % of the limit: new connections will be refused`,
      );
    },
  },
  {
    setting: "vm.overcommit_memory",
    recommended: same("1 (OS setting of the server's host)"),
    why: "BGSAVE and AOF rewrites fork the server; with overcommit off the fork can fail for lack of memory that is never used",
    readSource: "host",
    read: (ctx) => ctx.hostKernel?.overcommitMemory,
    check(v, ctx) {
      if (v === "1") return OK;
      const persists =
        ctx.profile !== "cache" || ctx.get("appendonly") === "yes" || hasSaveRules(ctx.get("save"));
      return finding(
        persists ? "medium" : "low",
        `${v}: a fork for BGSAVE or an AOF rewrite can fail with "Cannot allocate memory" under memory pressure, and persistence stops; set vm.overcommit_memory = 1`,
      );
    },
  },
  {
    setting: "transparent_hugepage",
    recommended: same("never (OS setting of the server's host)"),
    why: "huge pages make every write after a fork copy 2 MB instead of 4 KB: latency spikes and memory growth during BGSAVE",
    readSource: "host",
    read: (ctx) => ctx.hostKernel?.transparentHugepage,
    check(v, ctx) {
      if (v !== "always") return OK;
      // Redis 6.2.7+ turns THP off for its own process (disable-thp yes), which makes "always" harmless to it.
      if (ctx.get("disable-thp") === "yes")
        return { ok: true, why: "always on the host, but the server opts out (disable-thp yes)" };
      return finding(
        "medium",
        "always: latency spikes and extra memory whenever the server forks; set it to never (or madvise)",
      );
    },
  },
];

function hasSaveRules(save: string | undefined): boolean {
  return save !== undefined && save.trim() !== "" && save.trim() !== '""';
}
