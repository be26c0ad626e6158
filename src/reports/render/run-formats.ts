import type { RunResult } from "../../result/result-types.js";
import { renderCommandsCsv, renderSeriesCsv } from "../csv.js";
import { renderRunHtml } from "../html/run-html.js";
import { renderTemplateMarkdown } from "../template/render-template.js";
import { jsonFile, type ReportFile, type ReportFormat } from "./report-file.js";

export { DEFAULT_FORMATS } from "./report-file.js";

export interface RunRenderOptions {
  /** A Markdown template's text; undefined = the default template. */
  template?: string;
}

/** The files of one format of a run result (CSV is two: the series and the per-command summary). */
export function renderRunReport(
  result: RunResult,
  format: ReportFormat,
  options: RunRenderOptions = {},
): ReportFile[] {
  switch (format) {
    case "json":
      return [jsonFile(result)];
    case "md":
      return [{ suffix: ".md", text: renderTemplateMarkdown(result, options.template) }];
    case "html":
      return [{ suffix: ".html", text: renderRunHtml(result) }];
    case "csv":
      return [
        { suffix: "_series.csv", text: renderSeriesCsv(result) },
        { suffix: "_commands.csv", text: renderCommandsCsv(result) },
      ];
  }
}
