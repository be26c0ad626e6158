import type { RunConfig } from "../config/types.js";
import type { Participant } from "./participant.js";
import { ResourceWatch } from "./resource-watch.js";

/**
 * The participants a run gets from its config, in the order their hooks run. A new participant is
 * one file implementing Participant (src/run/participant.ts) and one line here.
 */
export function createParticipants(_config: RunConfig): Participant[] {
  const participants: Participant[] = [];
  participants.push(new ResourceWatch(_config));
  return participants;
}
