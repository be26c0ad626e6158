import type { RunResult } from "../../result/result-types.js";
import { resourceRows } from "../resource-lines.js";
import { htmlTable, section } from "./escape.js";

/** The HTML report's "Resources" section; empty when the run measured none. */
export function resourcesBlock(result: RunResult): string {
  if (result.resources === undefined) return "";
  const rows = resourceRows(result.resources);
  if (rows.length === 0) return "";
  return section("resources", "Resources", htmlTable(["resource", "value"], rows));
}
