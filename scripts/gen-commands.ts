/**
 * Writes src/commands/table.gen.ts from a real redis-server's `COMMAND INFO` and `COMMAND DOCS`:
 * every command and container subcommand with its arity, flags, group and key specifications.
 * The hand-written rules that COMMAND cannot express (where a blocking command's timeout is, which
 * arguments are secret, what may run on a shared connection) live in src/commands/rules.ts.
 *
 *   node --import tsx scripts/gen-commands.ts            # starts a private redis-server
 *   REDIS_URL=redis://127.0.0.1:6380 node --import tsx scripts/gen-commands.ts
 *
 * tests/integration/command-table.test.ts checks that the committed table matches the test server.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "../mod.ts";
import { startRedis } from "../tests/harness/redis.ts";
import { readCommandRows, renderTable } from "./command-rows.ts";

const server = process.env.REDIS_URL ? undefined : await startRedis();
const redis = createClient({ url: process.env.REDIS_URL ?? server!.url, protocol: 3 });
try {
  const { version, rows } = await readCommandRows(redis);
  const out = join(fileURLToPath(new URL(".", import.meta.url)), "..", "src", "commands", "table.gen.ts");
  writeFileSync(out, renderTable(version, rows));
  console.log(`wrote ${rows.length} commands and subcommands of redis ${version} to ${out}`);
} finally {
  await redis.close();
  await server?.stop();
}
