import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { diskUsedPercentOf, readPersistence } from "../../../src/probes/persistence-disk.js";
import {
  fdLimitFromLimits,
  ioBytesFromText,
  openFdCount,
  ProcessResourceReader,
  socketCount,
} from "../../../src/probes/process-resources.js";
import { replyField } from "../../../src/probes/stream-depth.js";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                1048576              files
Max locked memory         8388608              8388608              bytes
`;

const IO = `rchar: 2012
wchar: 515
syscr: 7
syscw: 3
read_bytes: 4096
write_bytes: 8192
cancelled_write_bytes: 0
`;

describe("/proc text", () => {
  it("the soft open-files limit; unlimited is no limit", () => {
    assert.equal(fdLimitFromLimits(LIMITS), 20000);
    assert.equal(fdLimitFromLimits(LIMITS.replace("20000  ", "unlimited")), undefined);
    assert.equal(fdLimitFromLimits("nothing here"), undefined);
  });

  it("read_bytes and write_bytes (storage), not rchar/wchar (every read/write call)", () => {
    assert.deepEqual(ioBytesFromText(IO), { readBytes: 4096, writeBytes: 8192 });
    assert.equal(ioBytesFromText("rchar: 1\n"), undefined);
  });

  it("df's Use%: used over used plus what an ordinary user may still take", () => {
    assert.equal(diskUsedPercentOf(100, 40, 30), (60 / 90) * 100);
    assert.equal(diskUsedPercentOf(0, 0, 0), undefined);
  });

  it("XINFO replies as RESP2 flat arrays and RESP3 maps", () => {
    assert.equal(replyField(["length", 7, "groups", 1], "length"), 7);
    assert.equal(replyField({ length: 9 }, "length"), 9);
    assert.equal(replyField(["length", 7], "pending"), undefined);
  });
});

describe("this process, read from the real /proc", { skip: process.platform !== "linux" }, () => {
  it("open descriptors and sockets of cachestress itself; I/O rates from the second reading on", () => {
    const fds = openFdCount("self");
    assert.ok(fds !== undefined && fds >= 3, `open fds ${fds}`);
    const sockets = socketCount("self");
    assert.ok(sockets !== undefined && sockets <= fds, `sockets ${sockets} of ${fds}`);
    const reader = new ProcessResourceReader();
    const first = reader.read("self", 1000);
    assert.ok(first.openFds !== undefined && first.fdLimit !== undefined);
    assert.equal(first.writeBytesPerSec, undefined);
    const second = reader.read("self", 2000);
    assert.ok(second.writeBytesPerSec !== undefined && second.writeBytesPerSec >= 0);
    assert.equal(openFdCount(2 ** 30), undefined);
  });

  it("persistence files and the disk under them, with a Redis 7 AOF folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "cachestress-persist-"));
    writeFileSync(join(dir, "dump.rdb"), Buffer.alloc(1234));
    const aofDir = join(dir, "appendonlydir");
    mkdirSync(aofDir);
    writeFileSync(join(aofDir, "appendonly.aof.1.base.rdb"), Buffer.alloc(100));
    writeFileSync(join(aofDir, "appendonly.aof.1.incr.aof"), Buffer.alloc(50));
    const reading = readPersistence({
      dir,
      dbfilename: "dump.rdb",
      appendfilename: "appendonly.aof",
      appenddirname: "appendonlydir",
    });
    assert.equal(reading.rdbFileBytes, 1234);
    assert.equal(reading.aofFileBytes, 150);
    assert.ok(reading.diskUsedPercent !== undefined && reading.diskUsedPercent >= 0);
    assert.ok(reading.diskFreeBytes !== undefined && reading.diskTotalBytes !== undefined);
    assert.deepEqual(readPersistence({ dir: join(dir, "missing"), dbfilename: "dump.rdb" }), {});
  });
});
