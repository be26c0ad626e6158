import type { RunConfig } from "../config/types.js";
import type { Participant } from "./participant.js";
import { warmTopParticipant } from "./warm-top.js";

/**
 * The participants a run gets from its config, in the order their hooks run. A new participant is
 * one file implementing Participant (src/run/participant.ts) and one line here.
 */
export function createParticipants(_config: RunConfig): Participant[] {
  const participants: Participant[] = [];
  participants.push(...warmTopParticipant(_config));
  return participants;
}
