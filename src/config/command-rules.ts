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

/** Commands whose first two arguments are keys (source and destination). */
const TWO_KEYS = new Set([
  "RENAME",
  "RENAMENX",
  "COPY",
  "SMOVE",
  "LMOVE",
  "BLMOVE",
  "RPOPLPUSH",
  "BRPOPLPUSH",
  "GEOSEARCHSTORE",
  "ZRANGESTORE",
]);
/** Commands whose every argument is a key. */
const ALL_KEYS = new Set([
  "DEL",
  "UNLINK",
  "EXISTS",
  "TOUCH",
  "MGET",
  "WATCH",
  "SINTER",
  "SUNION",
  "SDIFF",
  "SINTERSTORE",
  "SUNIONSTORE",
  "SDIFFSTORE",
  "PFCOUNT",
  "PFMERGE",
]);
/** Commands whose arguments are keys except the last (a timeout). */
const ALL_BUT_LAST = new Set(["BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX"]);
/** Commands with `numkeys key...` at the given word index (a destination key before it when +dest). */
const NUMKEYS_AT: Record<string, { at: number; dest: boolean }> = {
  ZUNIONSTORE: { at: 2, dest: true },
  ZINTERSTORE: { at: 2, dest: true },
  ZDIFFSTORE: { at: 2, dest: true },
  ZUNION: { at: 1, dest: false },
  ZINTER: { at: 1, dest: false },
  ZDIFF: { at: 1, dest: false },
  ZINTERCARD: { at: 1, dest: false },
  SINTERCARD: { at: 1, dest: false },
  LMPOP: { at: 1, dest: false },
  ZMPOP: { at: 1, dest: false },
  BLMPOP: { at: 2, dest: false },
  BZMPOP: { at: 2, dest: false },
  EVAL: { at: 2, dest: false },
  EVALSHA: { at: 2, dest: false },
  EVAL_RO: { at: 2, dest: false },
  EVALSHA_RO: { at: 2, dest: false },
  FCALL: { at: 2, dest: false },
  FCALL_RO: { at: 2, dest: false },
};

/**
 * Indexes of the words that are keys, for the commands where that is known from the words alone:
 * the first argument of single-key commands, both keys of RENAME/COPY/LMOVE and the like, every
 * argument of DEL/MGET/SINTERSTORE..., the keys of MSET, the destination and sources of BITOP, the
 * keys after `numkeys` of EVAL/EVALSHA/FCALL/ZUNIONSTORE..., the first half of what follows STREAMS
 * in XREAD/XREADGROUP, the key after the subcommand of XGROUP, XINFO, OBJECT and MEMORY USAGE.
 * Commands not listed give []: use `keysKnownStatically` to tell "no keys" from "not known".
 */
export function keyArgumentIndexes(command: string, words: readonly string[]): number[] {
  const range = (from: number, to: number, step = 1) =>
    Array.from({ length: Math.max(0, Math.ceil((to - from) / step)) }, (_, i) => from + i * step);
  if (TWO_KEYS.has(command)) return range(1, Math.min(3, words.length));
  if (ALL_KEYS.has(command)) return range(1, words.length);
  if (ALL_BUT_LAST.has(command)) return range(1, words.length - 1);
  if (command === "MSET" || command === "MSETNX") return range(1, words.length, 2);
  if (command === "BITOP") return range(2, words.length);
  if (command === "SORT" || command === "SORT_RO") {
    const store = words.findIndex((w, i) => i > 1 && w.toUpperCase() === "STORE");
    return [...(words.length > 1 ? [1] : []), ...(store > 0 && store + 1 < words.length ? [store + 1] : [])];
  }
  if (COMMAND_RULES.firstArgKey.has(command)) return words.length > 1 ? [1] : [];
  const numkeys = NUMKEYS_AT[command];
  if (numkeys !== undefined) {
    const count = Number(words[numkeys.at]);
    const dest = numkeys.dest && words.length > 1 ? [1] : [];
    if (!Number.isInteger(count) || count < 0) return dest;
    return [...dest, ...range(numkeys.at + 1, Math.min(numkeys.at + 1 + count, words.length))];
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

/** Commands with no key at all, known without asking the server. */
const NO_KEYS = new Set(["PING", "ECHO", "TIME", "PUBLISH", "SPUBLISH", "DBSIZE", "LASTSAVE"]);

/** Whether keyArgumentIndexes knows every key of this command (so [] means "no keys"). */
export function keysKnownStatically(command: string): boolean {
  return (
    NO_KEYS.has(command) ||
    TWO_KEYS.has(command) ||
    ALL_KEYS.has(command) ||
    ALL_BUT_LAST.has(command) ||
    command in NUMKEYS_AT ||
    ["MSET", "MSETNX", "BITOP", "XREAD", "XREADGROUP", "XGROUP", "XINFO"].includes(command) ||
    COMMAND_RULES.firstArgKey.has(command)
  );
}

/**
 * Arguments that let a command reach data the key positions do not show: SORT's BY and GET
 * patterns read other keys, COPY ... DB n writes into another database the cleanup never sees.
 * Returns the word index of each such argument's value.
 */
export function hiddenReachIndexes(command: string, words: readonly string[]): number[] {
  const found: number[] = [];
  if (command === "SORT" || command === "SORT_RO")
    words.forEach((w, i) => {
      if (i > 1 && (w.toUpperCase() === "BY" || w.toUpperCase() === "GET") && i + 1 < words.length)
        found.push(i + 1);
    });
  if (command === "COPY")
    words.forEach((w, i) => {
      if (i > 2 && w.toUpperCase() === "DB") found.push(i);
    });
  return found;
}
