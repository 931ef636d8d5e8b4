import assert from "node:assert/strict";
import { blockingTimeout, commandName, isReadOnly, keyIndexes, lookupCommand, needsOwnConnection, redactArgs, refusal } from "../../src/commands/lookup.ts";
import { RULES } from "../../src/commands/rules.ts";
import { COMMAND_ROWS } from "../../src/commands/table.gen.ts";
import { LATER_ROWS } from "../../src/commands/table.later.ts";
import { describe, test } from "../harness/runner.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("command table: lookup", () => {
  test("names and subcommands are found as strings or bytes, in any case", () => {
    assert.equal(lookupCommand(["get", "k"])?.name, "GET");
    assert.equal(lookupCommand(["GeT", "k"])?.name, "GET");
    assert.equal(lookupCommand([bytes("GET"), "k"])?.name, "GET");
    assert.equal(lookupCommand(["client", "reply", "off"])?.name, "CLIENT|REPLY");
    assert.equal(lookupCommand([bytes("CLIENT"), bytes("Reply"), "off"])?.name, "CLIENT|REPLY");
    assert.equal(lookupCommand(["CLIENT"])?.name, "CLIENT");
    assert.equal(lookupCommand(["CLIENT", "NO-SUCH-SUB"])?.name, "CLIENT");
    assert.equal(lookupCommand(["NOSUCHCOMMAND"]), undefined);
  });

  test("command names for messages never include arguments beyond the subcommand", () => {
    assert.equal(commandName(["config", "set", "requirepass", "secret"]), "CONFIG SET");
    assert.equal(commandName([bytes("get"), "k"]), "GET");
    assert.equal(commandName(["mymodule.cmd", "x"]), "MYMODULE.CMD");
    assert.equal(commandName(["not a name with spaces"]), "command");
  });

  test("every hand-written rule names a command of the table, and every blocking command has a timeout rule", () => {
    const rows = [...COMMAND_ROWS, ...LATER_ROWS.map(([, row]) => row)];
    const names = new Set(rows.map((row) => row[0]));
    for (const name of Object.keys(RULES)) assert.ok(names.has(name), `rules.ts names ${name}, which the table does not have`);
    for (const [name, , flags] of rows) {
      if (flags.split(" ").includes("blocking")) assert.ok(RULES[name]?.blocking, `${name} is blocking but has no timeout rule`);
    }
  });
});

describe("command table: blocking commands", () => {
  test("finds the server timeout of each blocking command", () => {
    assert.equal(blockingTimeout(["BLPOP", "a", "b", 5]), 5000);
    assert.equal(blockingTimeout(["brpop", "a", "0.5"]), 500);
    assert.equal(blockingTimeout([bytes("blpop"), "a", bytes("2")]), 2000);
    assert.equal(blockingTimeout(["BLMPOP", 2, 1, "k", "LEFT"]), 2000);
    assert.equal(blockingTimeout(["BZPOPMIN", "z", 0]), 0);
    assert.equal(blockingTimeout(["XREAD", "COUNT", 1, "BLOCK", 250, "STREAMS", "s", "$"]), 250);
    assert.equal(blockingTimeout(["WAIT", 1, 100]), 100);
  });

  test("non-blocking commands, and XREAD without BLOCK, are not blocking", () => {
    assert.equal(blockingTimeout(["GET", "k"]), undefined);
    assert.equal(blockingTimeout(["XREAD", "STREAMS", "block", "0"]), undefined);
  });

  test("WAIT blocks but stays on the connection that carried the writes", () => {
    assert.equal(needsOwnConnection(["WAIT", 1, 100]), false);
    assert.equal(needsOwnConnection(["BLPOP", "q", 1]), true);
    assert.equal(needsOwnConnection(["XREAD", "STREAMS", "s", "0"]), false);
  });
});

describe("command table: refusals", () => {
  test("connection-state commands are refused on shared connections, in any case and as bytes, with a hint", () => {
    const names = ["SUBSCRIBE", "psubscribe", "SSubscribe", "UNSUBSCRIBE", "PUNSUBSCRIBE", "sunsubscribe", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "MONITOR", "RESET", "QUIT", "HELLO", "AUTH", "READONLY"];
    for (const name of names) {
      for (const spelled of [name, bytes(name)]) {
        for (const placement of ["shared", "pooled"] as const) {
          const message = refusal([spelled, "x"], placement)?.message;
          assert.match(message ?? "", new RegExp(`^${name.toUpperCase()} cannot run on the .*: .+`), `${name} ${placement}`);
        }
      }
    }
    assert.match(refusal(["client", "reply", "on"], "shared")?.message ?? "", /CLIENT REPLY cannot run/);
    assert.match(refusal([bytes("CLIENT"), bytes("REPLY"), "SKIP"], "shared")?.message ?? "", /CLIENT REPLY cannot run/);
  });

  test("on a caller's own connection only what breaks reply matching is refused", () => {
    for (const args of [["SUBSCRIBE", "c"], ["psubscribe", "p"], ["MONITOR"], ["CLIENT", "REPLY", "OFF"], [bytes("client"), "reply", bytes("skip")], ["UNSUBSCRIBE"], ["SYNC"]]) {
      assert.ok(refusal(args, "dedicated"), String(args[0]));
    }
    for (const args of [["SELECT", 1], ["MULTI"], ["WATCH", "k"], ["CLIENT", "REPLY", "ON"], ["HELLO", 3], ["WAIT", 1, 0], ["GET", "k"]]) {
      assert.equal(refusal(args, "dedicated"), undefined, String(args[0]));
    }
  });

  test("WAIT is refused on the pool's shared path, and WAIT 0 (forever) on the multiplexer's", () => {
    assert.equal(refusal(["WAIT", 1, 100], "shared"), undefined);
    assert.ok(refusal(["WAIT", 1, 100], "pooled"));
    assert.ok(refusal(["WAIT", 1, 0], "shared"));
  });

  test("everything else may run anywhere", () => {
    for (const args of [["GET", "k"], ["CLIENT", "ID"], ["PUBLISH", "c", "m"], ["NOSUCHCOMMAND"], [new Uint8Array([1])]]) {
      for (const placement of ["shared", "pooled", "dedicated"] as const) assert.equal(refusal(args, placement), undefined, String(args[0]));
    }
  });
});

describe("command table: keys, read-only, secrets", () => {
  test("key positions follow the server's key specs", () => {
    assert.deepEqual(keyIndexes(["GET", "k"]), [1]);
    assert.deepEqual(keyIndexes(["MSET", "a", "1", "b", "2"]), [1, 3]);
    assert.deepEqual(keyIndexes(["MGET", "a", "b", "c"]), [1, 2, 3]);
    assert.deepEqual(keyIndexes(["BLPOP", "a", "b", 5]), [1, 2]);
    assert.deepEqual(keyIndexes(["EVAL", "return 1", 2, "k1", "k2", "arg"]), [3, 4]);
    assert.deepEqual(keyIndexes(["EVALSHA", "abc", 0, "arg"]), []);
    assert.deepEqual(keyIndexes(["XREAD", "COUNT", 1, "STREAMS", "s1", "s2", "0", "0"]), [4, 5]);
    assert.deepEqual(keyIndexes(["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", ">"]), [5]);
    assert.deepEqual(keyIndexes(["ZUNIONSTORE", "dest", 2, "a", "b", "WEIGHTS", 1, 2]), [1, 3, 4]);
    assert.deepEqual(keyIndexes(["LMOVE", "src", "dst", "LEFT", "RIGHT"]), [1, 2]);
    assert.deepEqual(keyIndexes(["SORT", "k", "BY", "w_*", "STORE", "dest"]), [1, 5]);
    assert.deepEqual(keyIndexes(["OBJECT", "ENCODING", "k"]), [2]);
    assert.deepEqual(keyIndexes([bytes("get"), "k"]), [1]);
    assert.deepEqual(keyIndexes(["PING"]), []);
    assert.deepEqual(keyIndexes(["NOSUCHCOMMAND", "k"]), []);
  });

  test("read-only commands are the table's readonly ones", () => {
    assert.equal(isReadOnly(["GET", "k"]), true);
    assert.equal(isReadOnly(["zrange", "k", 0, -1]), true);
    assert.equal(isReadOnly(["SET", "k", "v"]), false);
    assert.equal(isReadOnly(["EVAL", "x", 0]), false);
  });

  test("secrets are redacted whatever their type; other arguments are kept", () => {
    assert.deepEqual(redactArgs(["AUTH", "pw"]), ["AUTH", "(redacted)"]);
    assert.deepEqual(redactArgs([bytes("auth"), "user", bytes("pw")]), [bytes("auth"), "(redacted)", "(redacted)"]);
    assert.deepEqual(redactArgs(["HELLO", 3, "AUTH", "user", "pw", "SETNAME", "n"]), ["HELLO", 3, "AUTH", "user", "(redacted)", "SETNAME", "n"]);
    assert.deepEqual(redactArgs(["CONFIG", "SET", "requirepass", "pw", "maxmemory", "1mb"]), ["CONFIG", "SET", "requirepass", "(redacted)", "maxmemory", "1mb"]);
    assert.deepEqual(redactArgs(["config", "set", bytes("MASTERAUTH"), bytes("pw")]), ["config", "set", bytes("MASTERAUTH"), "(redacted)"]);
    assert.deepEqual(redactArgs(["ACL", "SETUSER", "u", "on", ">pw", "~*", "#abc", "+@all"]), ["ACL", "SETUSER", "u", "on", "(redacted)", "~*", "(redacted)", "+@all"]);
    assert.deepEqual(redactArgs(["ACL", "SETUSER", "u", bytes(">pw")]), ["ACL", "SETUSER", "u", "(redacted)"]);
    assert.deepEqual(redactArgs(["MIGRATE", "h", 1, "", 0, 1000, "AUTH2", "user", "pw", "KEYS", "k"]), ["MIGRATE", "h", 1, "", 0, 1000, "AUTH2", "user", "(redacted)", "KEYS", "k"]);
    const plain = ["SET", "k", "v"];
    assert.equal(redactArgs(plain), plain);
  });
});
