import { info } from "./redis.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits (at most 20 s) until `clients` connections are open on the server (a run's admin, probe and
 * load connections), then `extraMs` more: a fault timed from here lands in the measured part even
 * when the CLI is slow to start on a busy machine.
 */
export async function waitForLoad(url: string, extraMs: number, clients = 6): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (Number((await info(url, "clients")).connected_clients) >= clients) break;
    await sleep(100);
  }
  await sleep(extraMs);
}
