import assert from "node:assert/strict";
import { isPermanentFailure } from "../../src/conn/permanent-failure.ts";
import { ConnectionError, RedisError, TimeoutError } from "../../src/errors.ts";
import { describe, test } from "../harness/runner.ts";

const system = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });
const wrapped = (cause: Error) => new ConnectionError("could not connect to h:1", { cause });

describe("isPermanentFailure", () => {
  test("rejected credentials and permissions are permanent; a busy or loading server is not", () => {
    for (const reply of [
      "WRONGPASS invalid username-password pair or user is disabled.",
      "NOAUTH Authentication required.",
      "NOPERM this user has no permissions to run the 'select' command",
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
      "ERR unknown command 'HELLO', with args beginning with: '3'",
    ]) assert.ok(isPermanentFailure(new RedisError(reply)), reply);
    for (const reply of ["LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script", "ERR max number of clients reached"]) {
      assert.ok(!isPermanentFailure(new RedisError(reply)), reply);
    }
  });

  test("an unknown host and certificate errors are permanent, found through causes; refused, reset and timeouts are not", () => {
    for (const code of ["ENOTFOUND", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID"]) {
      assert.ok(isPermanentFailure(wrapped(system(code))), code);
    }
    for (const code of ["ECONNREFUSED", "ECONNRESET", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"]) {
      assert.ok(!isPermanentFailure(wrapped(system(code))), code);
    }
    assert.ok(!isPermanentFailure(new TimeoutError("connecting to h:1 timed out after 10000 ms")));
    assert.ok(!isPermanentFailure("not an error"));
  });
});
