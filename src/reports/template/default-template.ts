/**
 * The Markdown report's default template: the sections of a team's test summary (objective,
 * environment, configuration, results, findings, recommendations, next steps), each filled from the
 * result. `--template FILE` replaces it; every placeholder is listed in docs/reports.md.
 */
export const DEFAULT_TEMPLATE = `# {{title}}

{{verdict}}

## Objective

{{objective}}

## Environment

{{environment}}

## Configuration

{{configuration}}

## Results

{{totals}}

{{latency}}

{{openLoop}}

{{thresholds}}

{{countCheck}}

{{errorsByKind}}

{{pool}}

{{hitGroups}}

{{series}}

{{checklist}}

## Findings

{{findings}}

## Recommendations

{{recommendations}}

{{cost}}

## Next steps

{{nextSteps}}

{{shards}}

{{phases}}

{{warnings}}
`;
