import assert from "node:assert/strict";
import { Command } from "../../src/conn/command.ts";
import { Connection } from "../../src/conn/connection.ts";
import { resolveConnectionOptions } from "../../src/conn/options.ts";
import type { Socket } from "../../src/transport/types.ts";
import { describe, test } from "../harness/runner.ts";

/**
 * A connection on a socket that only records what it is given to write; `served()` answers a
 * caller without a command, as a cache hit does.
 */
function recordingConnection(): { conn: Connection; writes: Uint8Array[]; served: () => void } {
  let hits = 0;
  const writes: Uint8Array[] = [];
  const socket: Socket = {
    write: (chunk) => (writes.push(chunk), true),
    drain: () => Promise.resolve(),
    close: () => Promise.resolve(),
    destroy: () => {},
    closed: new Promise(() => {}),
  };
  const conn = new Connection(resolveConnectionOptions({ livenessTimeout: 0, keepAlive: 0 }), { callersServed: () => hits });
  conn.attach(socket);
  return { conn, writes, served: () => void hits++ };
}

const get = (key: string) => new Command(["GET", key], false, 0);
const microtaskRounds = async (n: number, each?: () => void) => {
  for (let i = 0; i < n; i++) {
    await Promise.resolve();
    each?.();
  }
};

describe("write batching", () => {
  test("a lone command leaves within a few microtask rounds, in one write", async () => {
    const { conn, writes } = recordingConnection();
    conn.write(get("a"));
    await microtaskRounds(10);
    assert.equal(writes.length, 1);
  });

  test("callers answered from the cache between two commands do not split them into two writes", async () => {
    // Callers woken together, each answered from the cache for a few rounds before sending its
    // next command: the rounds without a new command are busy, not quiet.
    const { conn, writes, served } = recordingConnection();
    conn.write(get("a"));
    await microtaskRounds(8, served);
    conn.write(get("b"));
    await microtaskRounds(10);
    assert.equal(writes.length, 1, "both commands in one socket write");
    assert.match(new TextDecoder().decode(writes[0]), /GET\r\n\$1\r\na\r\n.*GET\r\n\$1\r\nb\r\n/s);
  });

  test("callers served forever do not hold a command back past the round limit", async () => {
    const { conn, writes, served } = recordingConnection();
    conn.write(get("a"));
    await microtaskRounds(200, served);
    assert.equal(writes.length, 1);
  });

  test("while Redis has none of its commands, the first 32 of a tick leave at once and the rest at the end of the tick", async () => {
    // Redis works through the first commands while the client is still producing the others.
    const { conn, writes } = recordingConnection();
    for (let i = 0; i < 100; i++) conn.write(get(`k${i}`));
    assert.equal(writes.length, 1, "the first 32 left before the tick ended");
    assert.equal(countGets(writes[0]!), 32);
    await microtaskRounds(10);
    assert.equal(writes.length, 2);
    assert.equal(countGets(writes[1]!), 68);
  });

  test("while earlier commands await replies, a tick's commands leave together at the end of the tick", async () => {
    // Redis is busy with what it has: a second write now would only cost a syscall.
    const { conn, writes } = recordingConnection();
    conn.write(get("first"));
    await microtaskRounds(10);
    assert.equal(writes.length, 1);
    for (let i = 0; i < 100; i++) conn.write(get(`k${i}`));
    assert.equal(writes.length, 1);
    await microtaskRounds(10);
    assert.equal(writes.length, 2);
    assert.equal(countGets(writes[1]!), 100);
  });

  test("an early flush does not make a busy round look quiet: the tick's other commands still leave together", async () => {
    const { conn, writes } = recordingConnection();
    for (let i = 0; i < 10; i++) conn.write(get(`a${i}`));
    await Promise.resolve();
    for (let i = 0; i < 32; i++) conn.write(get(`b${i}`)); // the 32nd leaves early with the first 31; 10 wait
    await Promise.resolve();
    await Promise.resolve();
    conn.write(get("late"));
    await microtaskRounds(10);
    assert.equal(writes.length, 2);
  });

  test("commands written together (a transaction) count toward the early flush too, and stay in one piece", async () => {
    const { conn, writes } = recordingConnection();
    for (let i = 0; i < 31; i++) conn.write(get(`k${i}`));
    const tx = "*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\nt\r\n*1\r\n$4\r\nEXEC\r\n";
    conn.writeEncoded([new Command(["MULTI"], false, 0), get("t"), new Command(["EXEC"], false, 0)], new TextEncoder().encode(tx));
    assert.equal(writes.length, 2, "34 commands with Redis idle left at once: the 31, then the transaction");
    assert.equal(new TextDecoder().decode(writes[1]), tx);
    for (let i = 0; i < 10; i++) conn.write(get(`after${i}`));
    await microtaskRounds(10);
    assert.equal(writes.length, 3);
    assert.equal(countGets(writes[2]!), 10);
  });
});

function countGets(chunk: Uint8Array): number {
  return new TextDecoder().decode(chunk).split("$3\r\nGET\r\n").length - 1;
}
