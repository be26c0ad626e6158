import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../config/scenario-paths.js";

export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }
).version;
