import type { RunConfig } from "../config/types.js";
import { budgetWatch } from "./budget-watch.js";
import type { Participant } from "./participant.js";

/**
 * The participants a run gets from its config, in the order their hooks run. A new participant is
 * one file implementing Participant (src/run/participant.ts) and one line here.
 */
export function createParticipants(config: RunConfig): Participant[] {
  const participants: Participant[] = [];
  participants.push(...[budgetWatch(config)].filter((p) => p !== undefined));
  return participants;
}
