import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A full collection of the engine thread's heap, run when a phase arrives and before its start
 * time (the main thread sends phases 30 ms ahead). What the thread set up for the phase (its
 * recorder, histograms, key chooser, command writer) is then already in the old generation, so
 * the first scavenge inside the phase copies nothing much: measured at 50×16, the longest pause in
 * a phase fell from 7–15 ms (that first scavenge promoting the set-up) to 2–4 ms, and the phase's
 * pauses together from ~20 to ~10 ms. `gc` is exposed only to this isolate's new context, read once.
 */
let collect: (() => void) | undefined;

export function collectBeforePhase(): void {
  if (collect === undefined) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}
