import assert from "node:assert/strict";
import { parseMonitorLine } from "../../src/conn/monitor-line.ts";
import { ProtocolError } from "../../src/errors.ts";
import { describe, test } from "../harness/runner.ts";

describe("MONITOR lines", () => {
  test("time, db, client and arguments are read off a line, which is kept", () => {
    const line = '1339518083.107412 [0 127.0.0.1:60866] "set" "k" "v"';
    assert.deepEqual(parseMonitorLine(line), { time: 1339518083.107412, db: 0, client: "127.0.0.1:60866", args: ["set", "k", "v"], line });
  });

  test("lua and unix socket clients, other databases", () => {
    assert.deepEqual(parseMonitorLine('1700000000.000001 [3 lua] "get" "a"').client, "lua");
    const viaSocket = parseMonitorLine('1700000000.5 [12 unix:/tmp/redis.sock] "ping"');
    assert.equal(viaSocket.db, 12);
    assert.equal(viaSocket.client, "unix:/tmp/redis.sock");
    assert.deepEqual(viaSocket.args, ["ping"]);
  });

  test("escaped quotes, backslashes, control characters and non-ASCII bytes are unquoted", () => {
    const entry = parseMonitorLine(String.raw`1.5 [0 127.0.0.1:1] "set" "a\"b\\c" "x\r\n\t\a\by" "caf\xc3\xa9" "\xff" ""`);
    assert.deepEqual(entry.args, ["set", 'a"b\\c', "x\r\n\t\x07\by", "café", "\uFFFD", ""]);
  });

  test("a line of another shape is a ProtocolError", () => {
    for (const bad of ["OK", '1.5 [0 x] "unterminated', '1.5 [0 x] bare', String.raw`1.5 [0 x] "\q"`]) {
      assert.throws(() => parseMonitorLine(bad), ProtocolError, bad);
    }
  });
});
