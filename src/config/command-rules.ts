/**
 * What the tool knows about Redis commands to judge a template before any load: which are refused,
 * which are read-only (they may go to replicas), which take a subcommand (counted as `NAME|SUB` in
 * INFO commandstats), and where the keys of common commands are (they must be `{key}` or
 * `{prefix}...`). A command not listed is allowed, treated as a write, and its literal arguments are
 * sent as written: only {key} and {prefix} are prefixed.
 */

const SERVER = "it changes, stops or empties the server, which a load test must not do";
const KEYSPACE = "it reads or names keys outside the run's prefix";
const CONNECTION =
  "it changes the connection's state (database, protocol, identity, reply mode), which the engine's reply counting relies on";

const DANGEROUS: [string[], string][] = [
  [
    [
      "FLUSHALL",
      "FLUSHDB",
      "SHUTDOWN",
      "DEBUG",
      "CONFIG",
      "SCRIPT|FLUSH",
      "SCRIPT|KILL",
      "FUNCTION|FLUSH",
      "FUNCTION|DELETE",
      "FUNCTION|KILL",
      "FUNCTION|RESTORE",
      "REPLICAOF",
      "SLAVEOF",
      "FAILOVER",
      "CLUSTER",
      "ACL",
      "MODULE",
      "SAVE",
      "BGSAVE",
      "BGREWRITEAOF",
      "SWAPDB",
      "MIGRATE",
      "SLOWLOG|RESET",
      "LATENCY|RESET",
      "MONITOR",
      "SYNC",
      "PSYNC",
    ],
    SERVER,
  ],
  [["KEYS", "SCAN", "RANDOMKEY", "MOVE"], KEYSPACE],
  [
    [
      "SELECT",
      "AUTH",
      "HELLO",
      "RESET",
      "QUIT",
      "CLIENT",
      "MULTI",
      "EXEC",
      "DISCARD",
      "WATCH",
      "UNWATCH",
      "SUBSCRIBE",
      "PSUBSCRIBE",
      "SSUBSCRIBE",
      "UNSUBSCRIBE",
      "PUNSUBSCRIBE",
      "SUNSUBSCRIBE",
      "READONLY",
      "READWRITE",
      "ASKING",
    ],
    CONNECTION,
  ],
];

/** Commands counted per subcommand in INFO commandstats (`cmdstat_xgroup|create`). */
const CONTAINERS = [
  "XGROUP",
  "XINFO",
  "OBJECT",
  "MEMORY",
  "SCRIPT",
  "FUNCTION",
  "PUBSUB",
  "COMMAND",
  "SLOWLOG",
  "LATENCY",
  "CONFIG",
  "CLIENT",
  "CLUSTER",
  "ACL",
  "MODULE",
];

/** Commands that never write; they may be served by replicas with --read-from replicas. */
const READ_ONLY = [
  "GET",
  "MGET",
  "GETRANGE",
  "STRLEN",
  "EXISTS",
  "TYPE",
  "TTL",
  "PTTL",
  "EXPIRETIME",
  "PEXPIRETIME",
  "HGET",
  "HMGET",
  "HGETALL",
  "HKEYS",
  "HVALS",
  "HLEN",
  "HEXISTS",
  "HSTRLEN",
  "HRANDFIELD",
  "HSCAN",
  "LRANGE",
  "LLEN",
  "LINDEX",
  "LPOS",
  "SMEMBERS",
  "SISMEMBER",
  "SMISMEMBER",
  "SCARD",
  "SRANDMEMBER",
  "SSCAN",
  "SINTER",
  "SUNION",
  "SDIFF",
  "SINTERCARD",
  "ZRANGE",
  "ZREVRANGE",
  "ZRANGEBYSCORE",
  "ZREVRANGEBYSCORE",
  "ZRANGEBYLEX",
  "ZREVRANGEBYLEX",
  "ZSCORE",
  "ZMSCORE",
  "ZCARD",
  "ZCOUNT",
  "ZLEXCOUNT",
  "ZRANK",
  "ZREVRANK",
  "ZRANDMEMBER",
  "ZSCAN",
  "XRANGE",
  "XREVRANGE",
  "XLEN",
  "XREAD",
  "XPENDING",
  "XINFO|STREAM",
  "XINFO|GROUPS",
  "XINFO|CONSUMERS",
  "PFCOUNT",
  "GETBIT",
  "BITCOUNT",
  "BITPOS",
  "GEOPOS",
  "GEODIST",
  "GEOHASH",
  "GEOSEARCH",
  "EVALSHA_RO",
  "EVAL_RO",
  "FCALL_RO",
  "OBJECT|ENCODING",
  "OBJECT|FREQ",
  "OBJECT|IDLETIME",
  "OBJECT|REFCOUNT",
  "MEMORY|USAGE",
  "DUMP",
  "PING",
  "ECHO",
  "TIME",
];

/** Commands whose first argument is a key. */
const FIRST_ARG_KEY = [
  ...READ_ONLY.filter(
    (c) => !["PING", "ECHO", "TIME", "XREAD", "EVALSHA_RO", "EVAL_RO", "FCALL_RO"].includes(c),
  ),
  "SET",
  "SETNX",
  "SETEX",
  "PSETEX",
  "GETSET",
  "GETDEL",
  "GETEX",
  "APPEND",
  "SETRANGE",
  "INCR",
  "INCRBY",
  "INCRBYFLOAT",
  "DECR",
  "DECRBY",
  "DEL",
  "UNLINK",
  "EXPIRE",
  "PEXPIRE",
  "EXPIREAT",
  "PEXPIREAT",
  "PERSIST",
  "HSET",
  "HSETNX",
  "HMSET",
  "HDEL",
  "HINCRBY",
  "HINCRBYFLOAT",
  "LPUSH",
  "RPUSH",
  "LPUSHX",
  "RPUSHX",
  "LPOP",
  "RPOP",
  "LSET",
  "LINSERT",
  "LREM",
  "LTRIM",
  "LMOVE",
  "RPOPLPUSH",
  "BLPOP",
  "BRPOP",
  "BLMOVE",
  "BRPOPLPUSH",
  "SADD",
  "SREM",
  "SPOP",
  "SMOVE",
  "ZADD",
  "ZINCRBY",
  "ZREM",
  "ZPOPMIN",
  "ZPOPMAX",
  "BZPOPMIN",
  "BZPOPMAX",
  "ZREMRANGEBYSCORE",
  "ZREMRANGEBYRANK",
  "ZREMRANGEBYLEX",
  "XADD",
  "XACK",
  "XDEL",
  "XTRIM",
  "XCLAIM",
  "XAUTOCLAIM",
  "XSETID",
  "PFADD",
  "SETBIT",
  "GEOADD",
  "RENAME",
  "RENAMENX",
  "COPY",
  "RESTORE",
];

export const COMMAND_RULES = {
  dangerous: new Map(DANGEROUS.flatMap(([names, why]) => names.map((n) => [n, why] as const))),
  containers: new Set(CONTAINERS),
  readOnly: new Set(READ_ONLY),
  firstArgKey: new Set(FIRST_ARG_KEY),
};

/** The subcommand of a container command, upper case (`XGROUP create` → `CREATE`); undefined for others. */
export function containerSubcommand(command: string, second: string | undefined): string | undefined {
  if (!COMMAND_RULES.containers.has(command) || second === undefined || !/^[A-Za-z-]+$/.test(second))
    return undefined;
  return second.toUpperCase();
}

/**
 * Indexes of the words that are keys, for the commands where that is known from the words alone:
 * the first argument of single-key commands, the keys after `numkeys` of EVAL/EVALSHA/FCALL, the
 * first half of what follows STREAMS in XREAD/XREADGROUP, the key after the subcommand of XGROUP,
 * XINFO, OBJECT and MEMORY USAGE.
 */
export function keyArgumentIndexes(command: string, words: readonly string[]): number[] {
  if (COMMAND_RULES.firstArgKey.has(command)) return words.length > 1 ? [1] : [];
  if (["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"].includes(command)) {
    const numkeys = Number(words[2]);
    if (!Number.isInteger(numkeys) || numkeys < 0) return [];
    return Array.from({ length: Math.min(numkeys, words.length - 3) }, (_, i) => 3 + i);
  }
  if (command === "XREAD" || command === "XREADGROUP") {
    const streams = words.findIndex((w) => w.toUpperCase() === "STREAMS");
    if (streams < 0) return [];
    const count = Math.floor((words.length - streams - 1) / 2);
    return Array.from({ length: count }, (_, i) => streams + 1 + i);
  }
  if (["XGROUP", "XINFO", "OBJECT", "MEMORY"].includes(command)) {
    const sub = words[1]?.toUpperCase();
    if (sub === undefined || sub === "HELP" || sub === "STATS" || sub === "DOCTOR" || sub === "MALLOC-STATS")
      return [];
    return words.length > 2 ? [2] : [];
  }
  return [];
}
