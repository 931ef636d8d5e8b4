import assert from "node:assert/strict";
import { cacheScope, writtenKeys } from "../../src/cache/policy.ts";
import { blockingTimeout, isReadOnly, keyIndexes, lookupCommand, needsOwnConnection, refusal } from "../../src/commands/lookup.ts";
import { prefixKeys } from "../../src/commands/prefix.ts";
import { COMMAND_ROWS, TABLE_VERSION } from "../../src/commands/table.gen.ts";
import { LATER_ROWS } from "../../src/commands/table.later.ts";
import { describe, test } from "../harness/runner.ts";

// The table is generated from the test server (Redis 7.0); users run 7.2 and 7.4 too. Commands
// those added must still be routed, prefixed, guarded and cached by what they are.
describe("command table: commands of servers newer than the table's", () => {
  test("WAITAOF, like WAIT, stays on the connection that carried the writes: refused on the pool's shared path, and with timeout 0 on the multiplexer's", () => {
    assert.equal(lookupCommand(["waitaof", 1, 0, 100])?.name, "WAITAOF");
    assert.equal(blockingTimeout(["WAITAOF", 1, 0, 100]), 100);
    assert.equal(needsOwnConnection(["WAITAOF", 1, 0, 100]), false);
    assert.equal(refusal(["WAITAOF", 1, 0, 100], "shared"), undefined);
    assert.match(refusal(["WAITAOF", 1, 0, 100], "pooled")?.message ?? "", /^WAITAOF cannot run on the pool's shared connections/);
    assert.match(refusal([new TextEncoder().encode("WAITAOF"), 1, 0, 0], "shared")?.message ?? "", /would stall every caller/);
  });

  test("CLIENT NO-TOUCH changes the connection: refused on shared connections", () => {
    assert.match(refusal(["CLIENT", "NO-TOUCH", "ON"], "shared")?.message ?? "", /^CLIENT NO-TOUCH cannot run on the/);
    assert.equal(refusal(["CLIENT", "NO-TOUCH", "ON"], "dedicated"), undefined);
  });

  test("the hash-field expiry commands of 7.4 have their key at 1: prefixed, routed by it, writes drop cached entries, reads of TTLs are not cached", () => {
    const hexpire = ["HEXPIRE", "h", 10, "FIELDS", 1, "f"];
    assert.deepEqual(keyIndexes(hexpire), [1]);
    assert.deepEqual(prefixKeys(hexpire, "app:"), ["HEXPIRE", "app:h", 10, "FIELDS", 1, "f"]);
    for (const name of ["HEXPIRE", "HPEXPIRE", "HEXPIREAT", "HPEXPIREAT", "HPERSIST"]) {
      assert.deepEqual(writtenKeys([name, "h", 10, "FIELDS", 1, "f"], lookupCommand([name])), ["h"], name);
    }
    for (const name of ["HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME"]) {
      const args = [name, "h", "FIELDS", 1, "f"];
      assert.equal(isReadOnly(args), true, name);
      assert.equal(cacheScope(args, lookupCommand(args), false), undefined, `${name} answers with time left: not cacheable`);
    }
  });

  test("the commands of Redis 8.0-8.4 that write one key (HGETDEL, HGETEX, HSETEX, XDELEX, XACKDEL, DELEX) and MSETEX's keys are found: prefixed, routed, and dropped from the cache", () => {
    const cases: Array<[readonly (string | number)[], string[]]> = [
      [["HGETDEL", "h", "FIELDS", 1, "f"], ["h"]],
      [["HGETEX", "h", "EX", 10, "FIELDS", 1, "f"], ["h"]],
      [["HSETEX", "h", "FNX", "EX", 10, "FIELDS", 1, "f", "v"], ["h"]],
      [["XDELEX", "s", "KEEPREF", "IDS", 1, "0-1"], ["s"]],
      [["XACKDEL", "s", "g", "ACKED", "IDS", 1, "0-1"], ["s"]],
      [["DELEX", "k", "IFEQ", "v"], ["k"]],
      [["DELEX", "k"], ["k"]],
      [["MSETEX", 2, "a", "1", "b", "2", "NX", "EX", 10], ["a", "b"]],
    ];
    for (const [args, keys] of cases) {
      assert.deepEqual(writtenKeys(args, lookupCommand(args)), keys, String(args[0]));
      assert.deepEqual(keyIndexes(args).map((i) => args[i]), keys, String(args[0]));
    }
    assert.deepEqual(prefixKeys(["MSETEX", 2, "a", "1", "b", "2", "EX", 10], "app:"), ["MSETEX", 2, "app:a", "1", "app:b", "2", "EX", 10]);
    assert.equal(cacheScope(["DIGEST", "k"], lookupCommand(["DIGEST"]), false), "sDIGEST", "DIGEST changes only with a write: cacheable");
  });

  test("each row is newer than the generated table and not in it (regenerated from a newer server, the row goes)", () => {
    const generated = new Set(COMMAND_ROWS.map((row) => row[0]));
    const [major, minor] = TABLE_VERSION.split(".").map(Number) as [number, number];
    for (const [since, [name]] of LATER_ROWS) {
      assert.ok(!generated.has(name), `${name} is in table.gen.ts now: remove it from table.later.ts`);
      const [m, n] = since.split(".").map(Number) as [number, number];
      assert.ok(m > major || (m === major && n > minor), `${name} (since ${since}) is not newer than ${TABLE_VERSION}`);
    }
  });
});
