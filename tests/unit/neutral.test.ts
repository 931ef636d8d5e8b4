import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "../harness/runner.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The only files allowed to touch a runtime: the transport adapters, the picker that loads them, the channels. */
const ADAPTERS = new Set([
  "src/transport/node.ts",
  "src/transport/deno.ts",
  "src/transport/bun.ts",
  "src/transport/auto.ts",
  "src/diagnostics/channels.ts", // node:diagnostics_channel, which every runtime we support provides
]);

const RULES: Array<[RegExp, string]> = [
  [/\bfrom\s+["'](node:[^"']+|bun(:[^"']*)?)["']|\bimport\(\s*["'](node:|bun)/, "imports a runtime module"],
  [/\bDeno\./, "uses Deno.*"],
  [/\bBun\./, "uses Bun.*"],
  [/\bBuffer\b/, "uses Buffer"],
  [/\bprocess\.|\bprocess\b\s*\)/, "uses process"],
  [/\bsetImmediate\b/, "uses setImmediate"],
  [/\brequire\(/, "uses require()"],
];

/** Violations in `source`, as "line: reason" (comments are skipped: they may name what we avoid). */
function runtimeLeaks(source: string): string[] {
  const out: string[] = [];
  source.split("\n").forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, "").replace(/^\s*(\*|\/\*).*$/, "");
    for (const [pattern, reason] of RULES) if (pattern.test(code)) out.push(`${i + 1}: ${reason}`);
  });
  return out;
}

function coreFiles(): string[] {
  const src = readdirSync(join(root, "src"), { recursive: true }).map((f) => join("src", String(f)));
  return [...src, "mod.ts", "worker.ts", "otel.ts"]
    .filter((f) => f.endsWith(".ts"))
    .filter((f) => !ADAPTERS.has(f.split("\\").join("/")))
    .filter((f) => {
      try {
        readFileSync(join(root, f));
        return true;
      } catch {
        return false; // worker.ts may not exist yet
      }
    });
}

describe("runtime neutrality", () => {
  test("the checker catches each kind of runtime API", () => {
    assert.deepEqual(runtimeLeaks(`import net from "node:net";`), ["1: imports a runtime module"]);
    assert.deepEqual(runtimeLeaks(`const x = await import("bun:sqlite");`), ["1: imports a runtime module"]);
    assert.deepEqual(runtimeLeaks(`Deno.connect({ port: 1 });`), ["1: uses Deno.*"]);
    assert.deepEqual(runtimeLeaks(`const b = Buffer.from("x");`), ["1: uses Buffer"]);
    assert.deepEqual(runtimeLeaks(`if (process.env.X) {}`), ["1: uses process"]);
    assert.deepEqual(runtimeLeaks(`setImmediate(() => {});`), ["1: uses setImmediate"]);
    assert.deepEqual(runtimeLeaks(`// Buffer and process are fine in comments`), []);
  });

  test("nothing outside the transport adapters touches node:, Deno, Bun, Buffer or process", () => {
    const files = coreFiles();
    assert.ok(files.length > 20, `only ${files.length} core files found`);
    const leaks = files.flatMap((f) => runtimeLeaks(readFileSync(join(root, f), "utf8")).map((l) => `${relative(root, join(root, f))}:${l}`));
    assert.deepEqual(leaks, []);
  });
});
