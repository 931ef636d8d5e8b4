/**
 * Passwords in Redis URLs: the standard percent-encoded form is read, anything else is refused
 * with an error that says how to write it, and no message ever shows the password.
 */
import assert from "node:assert/strict";
import { createClient } from "../../mod.ts";
import { parseRedisUrl, redactUrl } from "../../src/conn/options.ts";
import { describe, test } from "../harness/runner.ts";

/** Throws a TypeError whose message and stack hold no part of `secret`. */
function refusedWithout(fn: () => unknown, secret: string, message?: RegExp): void {
  assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof TypeError, `got ${err?.name}: ${err?.message}`);
    for (const part of [secret, ...secret.split(/[/?#@%]/).filter((p) => p.length >= 3)]) {
      assert.ok(!err.message.includes(part), `"${part}" of the password is in: ${err.message}`);
    }
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe("passwords in Redis URLs", () => {
  test("redactUrl hides a password holding / ? # @ or percent escapes, up to the last @", () => {
    const cases: Array<[string, string]> = [
      ["redis://user:ab/cd+ef==@host:6379/0", "ab/cd+ef=="],
      ["redis://user:12/cd+ef==@host", "12/cd+ef=="],
      ["redis://u:1?x@h", "1?x"],
      ["redis://u:a#b@h", "a#b"],
      ["redis://u:a@b@h/1", "a@b"],
      ["rediss://u:ab%2Fcd%2Bef%3D%3D@h", "ab%2Fcd%2Bef%3D%3D"],
      ["redis://:only-pass/word@[::1]:6380", "only-pass/word"],
      [" redis://u:lead/ing@h", "lead/ing"],
    ];
    for (const [url, password] of cases) {
      const shown = redactUrl(url);
      assert.ok(!shown.includes(password), `${shown} shows ${password}`);
      assert.match(shown, /\*\*\*@/);
    }
    assert.equal(redactUrl("redis://user:ab/cd+ef==@host:6379/0"), "redis://user:***@host:6379/0");
    assert.equal(redactUrl("redis+unix:///run/redis.sock?db=1&password=p/w"), "redis+unix:///run/redis.sock?db=1&password=***");
    assert.equal(redactUrl("redis://host:6379/0"), "redis://host:6379/0");
  });

  test("a percent-encoded password is read back as written", () => {
    assert.deepEqual(parseRedisUrl("redis://user:ab%2Fcd+ef%3D%3D@host:6380/2"), {
      username: "user", password: "ab/cd+ef==", host: "host", port: 6380, db: 2,
    });
    assert.equal(parseRedisUrl("redis://:p%40ss%3Fw%23rd%25@host").password, "p@ss?w#rd%");
  });

  test("a password with / ? # or @ left unencoded is refused, saying how to write it, without showing it", () => {
    for (const [url, password] of [
      ["redis://user:ab/cd+ef==@host", "ab/cd+ef=="],
      ["redis://user:12/cd+ef==@host", "12/cd+ef=="], // would otherwise mean host "user", port 12
      ["redis://u:1?x@host", "1?x"], // would otherwise mean host "u", port 1
      ["rediss://u:a#bc@host", "a#bc"],
    ]) {
      refusedWithout(() => parseRedisUrl(url!), password!, /percent-encode/);
      refusedWithout(() => createClient(url!), password!, /percent-encode/);
    }
  });

  test("a broken percent escape is a TypeError that does not show the password", () => {
    refusedWithout(() => parseRedisUrl("redis://user:p%zzword@host"), "p%zzword");
    refusedWithout(() => parseRedisUrl("redis://user:secret%@host"), "secret%");
  });
});
