import type { RunConfig } from "../config/types.js";
import { costParticipant } from "./cost-participant.js";
import type { Participant } from "./participant.js";

/**
 * The participants a run gets from its config, in the order their hooks run. A new participant is
 * one file implementing Participant (src/run/participant.ts) and one line here.
 */
export function createParticipants(_config: RunConfig): Participant[] {
  const participants: Participant[] = [];
  for (const p of [costParticipant(_config)]) if (p !== undefined) participants.push(p);
  return participants;
}
