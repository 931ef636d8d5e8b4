/**
 * One test API for three runners: vitest on Node, `deno test` (through its node:test support) and
 * `bun test`. Test files import `describe`, `test`, `beforeAll`, `afterAll` from here and never name
 * a runner, so the same file is the behaviour suite on every runtime.
 */
type Body = () => void | Promise<void>;
interface Runner {
  describe(name: string, fn: () => void): void;
  test(name: string, fn: Body, timeoutMs?: number): void;
  beforeAll(fn: Body, timeoutMs?: number): void;
  afterAll(fn: Body, timeoutMs?: number): void;
}

const g = globalThis as { Deno?: unknown; Bun?: unknown };

async function loadRunner(): Promise<Runner> {
  if (g.Deno) {
    const t = await import("node:test");
    return {
      describe: (name, fn) => void t.describe(name, fn),
      test: (name, fn, timeout) => void t.it(name, { timeout }, fn),
      beforeAll: (fn, timeout) => t.before(fn, { timeout }),
      afterAll: (fn, timeout) => t.after(fn, { timeout }),
    };
  }
  // Specifiers in variables keep each runner's module out of the other runtimes' module graphs.
  const spec = g.Bun ? "bun:test" : "vitest";
  const t = await import(spec);
  return {
    describe: (name, fn) => t.describe(name, fn),
    test: (name, fn, timeout) => t.test(name, fn, timeout),
    beforeAll: (fn, timeout) => t.beforeAll(fn, timeout),
    afterAll: (fn, timeout) => t.afterAll(fn, timeout),
  };
}

const runner = await loadRunner();

/** Group tests; hooks declared inside apply to the group. */
export const describe: Runner["describe"] = runner.describe;
/** A test; `timeoutMs` defaults to 30 s. */
export const test: Runner["test"] = (name, fn, timeoutMs = 30_000) => runner.test(name, fn, timeoutMs);
/** Runs once before the group's tests. */
export const beforeAll: Runner["beforeAll"] = (fn, timeoutMs = 30_000) => runner.beforeAll(fn, timeoutMs);
/** Runs once after the group's tests, even when they fail. */
export const afterAll: Runner["afterAll"] = (fn, timeoutMs = 30_000) => runner.afterAll(fn, timeoutMs);
