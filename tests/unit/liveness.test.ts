import assert from "node:assert/strict";
import { Command } from "../../src/conn/command.ts";
import { LivenessWatch } from "../../src/conn/liveness.ts";
import { resolveConnectionOptions } from "../../src/conn/options.ts";
import type { ConnectionError } from "../../src/errors.ts";
import { describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";

/** A watch over `awaiting` (oldest first) that records when it declares the peer dead. */
function watching(awaiting: Command[], livenessTimeout: number, maxConsecutiveTimeouts: number) {
  const deaths: ConnectionError[] = [];
  const watch = LivenessWatch.for({ livenessTimeout, maxConsecutiveTimeouts }, {
    address: "127.0.0.1:1",
    awaiting: (i) => awaiting[i],
    dead: (err) => deaths.push(err),
  })!;
  watch.watch();
  return { watch, deaths };
}

const cmd = (name: string, timeoutMs: number) => new Command([name], false, timeoutMs);

describe("liveness watch", () => {
  test("both checks off: no watch at all", () => {
    assert.equal(LivenessWatch.for({ livenessTimeout: 0, maxConsecutiveTimeouts: 0 }, { address: "", awaiting: () => undefined, dead: () => {} }), undefined);
  });

  test("silence after a reply fell due ends the connection; silence before it does not", async () => {
    const { watch, deaths } = watching([cmd("GET", 100)], 300, 0);
    try {
      await sleep(150); // due, but not yet silent for livenessTimeout after that (not before 400 ms)
      assert.equal(deaths.length, 0);
      await until(() => deaths.length === 1, "the peer presumed dead", 1_000);
      assert.match(deaths[0]!.message, /no reply from 127\.0\.0\.1:1 .* after the reply to GET was due.*livenessTimeout/);
    } finally {
      watch.stop();
    }
  });

  test("bytes arriving keep an overdue connection alive", async () => {
    const { watch, deaths } = watching([cmd("GET", 20)], 300, 0);
    try {
      for (let i = 0; i < 30; i++) {
        watch.heard = true;
        await sleep(25);
      }
      assert.equal(deaths.length, 0);
    } finally {
      watch.stop();
    }
  });

  test("a command not yet due (a blocking one) is never taken for a dead peer, however long the silence", async () => {
    const { watch, deaths } = watching([cmd("BLPOP", 10_000), cmd("GET", 10_000)], 25, 1);
    try {
      await sleep(300);
      assert.equal(deaths.length, 0);
    } finally {
      watch.stop();
    }
  });

  test("maxConsecutiveTimeouts overdue replies in a row end it; one fewer does not", async () => {
    const two = watching([cmd("GET", 10), cmd("GET", 10), cmd("GET", 60_000)], 0, 3);
    const three = watching([cmd("GET", 10), cmd("GET", 10), cmd("GET", 10)], 0, 3);
    try {
      await until(() => three.deaths.length === 1, "three timeouts to end it", 2_500);
      assert.match(three.deaths[0]!.message, /3 commands in a row timed out on 127\.0\.0\.1:1.*maxConsecutiveTimeouts/);
      assert.equal(two.deaths.length, 0);
    } finally {
      two.watch.stop();
      three.watch.stop();
    }
  });

  test("the options are validated", () => {
    assert.deepEqual(
      (({ livenessTimeout, maxConsecutiveTimeouts, keepAlive }) => ({ livenessTimeout, maxConsecutiveTimeouts, keepAlive }))(resolveConnectionOptions()),
      { livenessTimeout: 5_000, maxConsecutiveTimeouts: 3, keepAlive: 5_000 },
    );
    assert.equal(resolveConnectionOptions({ keepAlive: false }).keepAlive, false);
    assert.throws(() => resolveConnectionOptions({ livenessTimeout: -1 }), /livenessTimeout/);
    assert.throws(() => resolveConnectionOptions({ maxConsecutiveTimeouts: 1.5 }), /maxConsecutiveTimeouts/);
    assert.throws(() => resolveConnectionOptions({ keepAlive: -5 }), /keepAlive/);
  });
});
