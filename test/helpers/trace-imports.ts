import { register } from "node:module";

/**
 * `node --import dist/test/helpers/trace-imports.js CLI ...` prints `imported <url>` on stderr for
 * every module the CLI resolves: the start-up test reads which packages a command loads.
 */
register(new URL("./trace-imports-hook.js", import.meta.url));
