import assert from "node:assert/strict";
import type { Port } from "../../src/worker/endpoint.ts";
import { RequestBatch } from "../../src/worker/request-batch.ts";
import { describe, test } from "../harness/runner.ts";

describe("a worker's request batch", () => {
  test("tells which requests left for the owner (they may have run) and which are still queued (never sent)", () => {
    const posted: unknown[] = [];
    const port = { post: (message: unknown) => void posted.push(message) } as unknown as Port;
    const batch = new RequestBatch(() => {}, () => {});
    const first = batch.add("send", 0, ["SET", "k", "v"], undefined);
    const encoded = batch.addEncoded(["GET", "k"]);
    assert.equal(batch.posted(first), false);
    batch.post(port);
    assert.equal(posted.length, 1);
    assert.equal(batch.posted(first), true);
    assert.equal(batch.posted(encoded), true);
    const queued = batch.add("send", 0, ["INCR", "n"], undefined);
    assert.equal(batch.posted(queued), false);
    batch.clear();
    assert.equal(batch.posted(queued), false, "dropped, never sent");
  });
});
