/**
 * What a Lua script asks the server to do, read from its text before it is ever run: every
 * `redis.call(...)` / `redis.pcall(...)` with its command name and its argument expressions, and
 * everything that would let a script call a command in a way the text does not show (an alias of
 * redis.call, `redis[...]`, loadstring, the global table). The key guard (key-guard.ts) decides from
 * this whether the script's keys are provably the ones the run passes in KEYS.
 */

export interface LuaCall {
  /** The command name when it is written as one plain string literal; undefined otherwise. */
  command?: string;
  /** Each argument after the command name, as written (whitespace collapsed). */
  args: string[];
}

export interface LuaReading {
  calls: LuaCall[];
  /** Why the script's calls cannot be read from its text; empty when they can. */
  hidden: string[];
}

type Token = { kind: "name" | "string" | "number" | "punct"; text: string; value?: string };

/** Names that reach code or globals the text does not show: a call through them cannot be judged. */
const OPAQUE_NAMES = new Set([
  "loadstring",
  "load",
  "dofile",
  "loadfile",
  "require",
  "getfenv",
  "setfenv",
  "rawget",
  "rawset",
  "_G",
  "debug",
  "setmetatable",
  "getmetatable",
]);

export function readLuaCalls(source: string): LuaReading {
  const hidden: string[] = [];
  const tokens = tokenize(source, hidden);
  const calls: LuaCall[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "name") continue;
    if (OPAQUE_NAMES.has(t.text) && tokens[i - 1]?.text !== ".") {
      hidden.push(`it uses ${t.text}, which can run code or reach functions the text does not show`);
      continue;
    }
    if (t.text !== "redis" || tokens[i - 1]?.text === ".") continue;
    const next = tokens[i + 1];
    if (next?.text === "[" || (next?.text !== "." && next?.text !== ":")) {
      hidden.push("it uses the redis table other than as redis.call(...) / redis.pcall(...)");
      continue;
    }
    const member = tokens[i + 2]?.text;
    if (member !== "call" && member !== "pcall") continue;
    if (tokens[i + 3]?.text !== "(") {
      hidden.push(`it uses redis.${member} as a value (an alias calls commands the text does not show)`);
      continue;
    }
    const parsed = callArguments(tokens, i + 4);
    if (parsed === undefined) {
      hidden.push(`a redis.${member}( without its closing parenthesis`);
      break;
    }
    const [first, ...rest] = parsed.args;
    const command = first?.length === 1 && first[0].kind === "string" ? first[0].value : undefined;
    calls.push({ command, args: rest.map(expressionText) });
    i = parsed.end;
  }
  return { calls, hidden };
}

/** An argument as written, compact: `KEYS[1]..':n'`, `tonumber(ARGV[2])`, `x and y`. */
function expressionText(tokens: Token[]): string {
  let text = "";
  tokens.forEach((t, i) => {
    const previous = tokens[i - 1];
    if (previous !== undefined && previous.kind !== "punct" && t.kind !== "punct") text += " ";
    text += t.text;
  });
  return text;
}

/** The arguments of a call whose "(" is just before `start`, split at top-level commas. */
function callArguments(tokens: Token[], start: number): { args: Token[][]; end: number } | undefined {
  const args: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "punct" && (t.text === "(" || t.text === "[" || t.text === "{")) depth++;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]" || t.text === "}")) {
      if (depth === 0) {
        if (current.length > 0 || args.length > 0) args.push(current);
        return { args, end: i };
      }
      depth--;
    }
    if (depth === 0 && t.kind === "punct" && t.text === ",") {
      args.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  return undefined;
}

/**
 * Lua tokens, enough to find calls: comments dropped, strings decoded when they hold no escape (a
 * string with escapes keeps value undefined, so `'FLUSH\65LL'` is never read as a command name).
 */
function tokenize(source: string, hidden: string[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (source.startsWith("--", i)) {
      const long = /^--\[(=*)\[/.exec(source.slice(i, i + 64));
      if (long !== null) {
        const close = source.indexOf(`]${long[1]}]`, i);
        i = close < 0 ? n : close + long[1].length + 2;
      } else {
        const eol = source.indexOf("\n", i);
        i = eol < 0 ? n : eol + 1;
      }
      continue;
    }
    const longString = /^\[(=*)\[/.exec(source.slice(i, i + 64));
    if (longString !== null) {
      const open = longString[0].length;
      const close = source.indexOf(`]${longString[1]}]`, i + open);
      const end = close < 0 ? n : close;
      tokens.push({ kind: "string", text: source.slice(i, end + open), value: source.slice(i + open, end) });
      i = close < 0 ? n : end + open;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let escaped = false;
      while (j < n && source[j] !== c && source[j] !== "\n") {
        if (source[j] === "\\") {
          escaped = true;
          j++;
        }
        j++;
      }
      if (j >= n || source[j] !== c) hidden.push("a string that is never closed");
      const text = source.slice(i, j + 1);
      tokens.push({ kind: "string", text, value: escaped ? undefined : source.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256));
    if (name !== null) {
      tokens.push({ kind: "name", text: name[0] });
      i += name[0].length;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+)/.exec(source.slice(i, i + 64));
    if (num !== null) {
      tokens.push({ kind: "number", text: num[0], value: num[0] });
      i += num[0].length;
      continue;
    }
    const punct = /^(\.\.\.|\.\.|==|~=|<=|>=|::|.)/s.exec(source.slice(i, i + 3));
    const text = punct?.[0] ?? c;
    tokens.push({ kind: "punct", text });
    i += text.length;
  }
  return tokens;
}

/**
 * Whether an argument expression is provably one of the run's keys: `KEYS[i]`, optionally with text
 * appended (`KEYS[1] .. ':suffix'`), which keeps the key under the prefix the KEYS are under.
 * Anything with another operator (`and`, `or`, a call) could evaluate to some other key.
 */
export function isRunKeyExpression(expression: string): boolean {
  const term = String.raw`(?:'[^'\\]*'|"[^"\\]*"|\d+|[A-Za-z_][A-Za-z0-9_]*(?:\s*\[\s*[A-Za-z0-9_]+\s*\])?)`;
  const pattern = new RegExp(String.raw`^KEYS\s*\[\s*[A-Za-z0-9_]+\s*\](?:\s*\.\.\s*${term})*$`);
  return pattern.test(expression.trim());
}

/** The value of an argument written as a plain literal (a string without escapes, a number). */
export function literalValue(expression: string): string | undefined {
  const trimmed = expression.trim();
  const quoted = /^(['"])([^'"\\]*)\1$/.exec(trimmed);
  if (quoted !== null) return quoted[2];
  if (/^\d+$/.test(trimmed)) return trimmed;
  return undefined;
}
