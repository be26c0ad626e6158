import { setFlagsFromString } from "node:v8";

/**
 * Semi-space of the engine threads' young generation, MB. Under load an engine thread allocates
 * nothing per operation, but Node's socket write path allocates a few hundred bytes per write
 * (its stream bookkeeping), several MB per second at pipeline depth. V8 starts the young
 * generation at 1 MB and grows it only when many objects survive, which this garbage never does,
 * so a scavenge came every ~3 MB: ~12 per million operations at 50×16. At 16 MB they come about
 * once per million; each still copies only the few live objects, so pauses stay as short.
 * The pages are touched as they fill, so this costs up to 2 × 16 MB of RSS per engine thread.
 */
const ENGINE_SEMI_SPACE_MB = 16;

/**
 * Initial old-generation limit of the engine threads, MB. An engine thread's heap holds ~8 MB once
 * its connections and histograms exist; V8's starting limit is lower, so it ran one full
 * mark-compact (a 6–8 ms pause) about a second into every measured phase. With the limit above
 * what the thread ever holds, that collection does not come; nothing is reserved by it.
 */
const ENGINE_INITIAL_OLD_SPACE_MB = 64;

let sized = false;

/**
 * Sets the initial semi-space for isolates created from now on (the engine workers). V8 reads the
 * flag when it builds an isolate's heap; the main thread's own heap, already built, is unchanged.
 */
export function sizeEngineYoungGeneration(): void {
  if (sized) return;
  sized = true;
  setFlagsFromString(`--min-semi-space-size=${ENGINE_SEMI_SPACE_MB}`);
  setFlagsFromString(`--initial-old-space-size=${ENGINE_INITIAL_OLD_SPACE_MB}`);
}
