/** Per command (upper case): how many the server received, from INFO commandstats. */
export type ServerCommandCounts = Record<string, number>;

/** Parses `INFO commandstats` into calls + rejected calls per upper-case command name. */
export function parseCommandStats(info: string): ServerCommandCounts {
  const counts: ServerCommandCounts = {};
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (match === null) continue;
    let received = 0;
    for (const field of match[2].split(",")) {
      const [key, value] = field.split("=");
      if (key === "calls" || key === "rejected_calls") received += Number(value);
    }
    counts[match[1].toUpperCase()] = received;
  }
  return counts;
}
