import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A small, size-limited filesystem for the disk-exhaustion check: a tmpfs with `size=` (or, where
 * tmpfs is refused, an ext4 image on a loop device), so a server persisting into it runs out of
 * space within seconds without touching the machine's real disks. Mounting needs root (or
 * CAP_SYS_ADMIN); canMountSmallFilesystem() says whether this machine allows it, and why not.
 */

export interface SmallFilesystem {
  dir: string;
  kind: "tmpfs" | "loop";
  sizeBytes: number;
  /** Lazy unmount (the server may still hold files there) and removal; safe to call more than once. */
  unmount(): void;
}

const EXEC_TIMEOUT_MS = 10_000;

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ["ignore", "ignore", "pipe"], timeout: EXEC_TIMEOUT_MS });
}

/** The first line of a failed command's stderr, else its message. */
function why(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return (stderr !== undefined && stderr !== "" ? stderr : (error as Error).message).split("\n")[0];
}

let capability: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether a 1 MiB tmpfs can be mounted and unmounted here (asked once per process). */
export function canMountSmallFilesystem(): { ok: true } | { ok: false; reason: string } {
  if (capability !== undefined) return capability;
  if (process.platform !== "linux") {
    capability = {
      ok: false,
      reason: `mounting a size-limited filesystem needs Linux (this is ${process.platform})`,
    };
    return capability;
  }
  try {
    const fs = mountSmallFilesystem(1024 * 1024);
    fs.unmount();
    capability = { ok: true };
  } catch (error) {
    capability = { ok: false, reason: (error as Error).message };
  }
  return capability;
}

/** Mounts a filesystem of `sizeBytes` on a new temporary directory; throws with the reason when it cannot. */
export function mountSmallFilesystem(sizeBytes: number): SmallFilesystem {
  const dir = mkdtempSync(join(tmpdir(), "cachestress-disk-"));
  let tmpfsProblem: string;
  try {
    run("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes},mode=0700`, "tmpfs", dir]);
    return filesystem(dir, "tmpfs", sizeBytes, undefined);
  } catch (error) {
    tmpfsProblem = why(error);
  }
  // Some containers refuse tmpfs but allow loop devices: an ext4 image of the same size.
  const image = `${dir}.img`;
  try {
    writeFileSync(image, Buffer.alloc(0));
    run("truncate", ["-s", String(Math.max(sizeBytes, 2 * 1024 * 1024)), image]);
    run("mkfs.ext4", ["-q", "-F", "-m", "0", image]);
    run("mount", ["-o", "loop", image, dir]);
    return filesystem(dir, "loop", sizeBytes, image);
  } catch (error) {
    rmSync(image, { force: true });
    rmdirSync(dir);
    throw new Error(
      `cannot mount a size-limited filesystem here (tmpfs: ${tmpfsProblem}; loop image: ${why(error)}): run as root or in a container with CAP_SYS_ADMIN`,
    );
  }
}

function filesystem(
  dir: string,
  kind: SmallFilesystem["kind"],
  sizeBytes: number,
  image: string | undefined,
): SmallFilesystem {
  let mounted = true;
  const unmount = () => {
    if (!mounted) return;
    mounted = false;
    process.off("exit", unmount);
    try {
      // -l: detach now even while the server still has its files open; the kernel frees it later.
      run("umount", ["-l", dir]);
    } catch {
      // Already unmounted (by hand, or by a previous attempt): nothing is left to detach.
    }
    rmSync(dir, { recursive: true, force: true });
    if (image !== undefined) rmSync(image, { force: true });
  };
  // A run that ends without its teardown (an uncaught error) still leaves no mount behind.
  process.once("exit", unmount);
  return { dir, kind, sizeBytes, unmount };
}
