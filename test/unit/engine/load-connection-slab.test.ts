import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type net from "node:net";
import { afterEach, describe, it } from "node:test";
import { type ConnectionOwner, LoadConnection, socketOpener } from "../../../src/engine/load-connection.js";

/**
 * The output slab is written from its start again once it is full, unless the socket still holds a
 * slice of it (a write pending in Node): then a new slab is taken, so bytes not yet sent are never
 * overwritten. Reusing it keeps the closed loop from allocating a 64 KB slab every ~1,300 commands.
 */

/** Records every write: the view Node would hold while pending, and a copy of its bytes then. */
class RecordingSocket extends EventEmitter {
  writableLength = 0;
  readonly views: Uint8Array[] = [];
  readonly copies: Buffer[] = [];
  setNoDelay(): this {
    return this;
  }
  write(data: Uint8Array): boolean {
    this.views.push(data);
    this.copies.push(Buffer.from(data));
    return true;
  }
  destroy(): this {
    return this;
  }
}

const owner: ConnectionOwner = {
  onOperationReply() {},
  afterReplies() {},
  onConnected() {},
  onBroken() {},
  onReauthReply() {},
};

const COMMAND_BYTES = 1000;
const originalOpen = socketOpener.open;
afterEach(() => {
  socketOpener.open = originalOpen;
});

function connectionWith(socket: RecordingSocket): LoadConnection {
  socketOpener.open = () => socket as unknown as net.Socket;
  // 16 in flight at most: the slab is its 64 KB minimum.
  const c = new LoadConnection(
    0,
    16,
    { host: "127.0.0.1", port: 1, tls: false, db: 0 } as never,
    owner,
    COMMAND_BYTES,
  );
  c.connect();
  return c;
}

/** Writes `n` commands of COMMAND_BYTES, each filled with its own number, one flush per command. */
function writeCommands(c: LoadConnection, n: number, slabs: Buffer[]): void {
  for (let i = 0; i < n; i++) {
    const out = c.reserve();
    if (slabs.at(-1) !== out) slabs.push(out);
    out.fill(i % 251, c.writePosition, c.writePosition + COMMAND_BYTES);
    c.writePosition += COMMAND_BYTES;
    c.flush();
  }
}

describe("LoadConnection output slab", () => {
  it("is written from its start again when nothing is pending in the socket", () => {
    const socket = new RecordingSocket();
    const c = connectionWith(socket);
    const slabs: Buffer[] = [];
    writeCommands(c, 200, slabs); // 200 KB through a 64 KB slab: it wraps three times
    assert.equal(slabs.length, 1, "one slab, reused");
    assert.equal(socket.copies.length, 200);
    socket.copies.forEach((copy, i) => {
      assert.equal(copy.length, COMMAND_BYTES);
      assert.ok(
        copy.every((b) => b === i % 251),
        `command ${i} went out as written`,
      );
    });
  });

  it("takes a new slab when the socket still holds part of the full one", () => {
    const socket = new RecordingSocket();
    socket.writableLength = COMMAND_BYTES; // every write stays pending, as on a full socket
    const c = connectionWith(socket);
    const slabs: Buffer[] = [];
    writeCommands(c, 200, slabs);
    assert.ok(slabs.length >= 3, `a new slab each time one filled up (${slabs.length})`);
    // What Node still held was never overwritten by later commands.
    socket.views.forEach((view, i) => {
      assert.ok(Buffer.from(view).equals(socket.copies[i]), `pending write ${i} kept its bytes`);
    });
  });
});
