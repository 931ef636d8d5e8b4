/**
 * Whole-project checks that scripts/test.mjs counts as one test each, beside the behaviour suite:
 *
 * - typecheck:   strict TypeScript over the whole project (`tsc -p .`);
 * - pack smoke:  the npm tarball installs into a fresh project and works there (scripts/pack-smoke.mjs);
 * - jsr dry-run: `deno publish --dry-run` accepts the package for JSR, slow-type check included.
 *
 * The two publishing checks look at the whole package, so they run only on full runs, never for a
 * subset of test files.
 */
import { spawnSync } from "node:child_process";
import { basename, join } from "node:path";

/**
 * The checks to run: `wholePackage` adds the publishing checks to the type check.
 * Each is `{ name, cmd: [program, ...args], env? }`.
 */
export function projectChecks(root, { wholePackage }) {
  const bin = (name) => join(root, "node_modules", ".bin", name);
  const checks = [{ name: "typecheck", cmd: [bin("tsc"), "-p", "."] }];
  if (!wholePackage) return checks;
  return [
    ...checks,
    { name: "pack smoke", cmd: [process.execPath, "scripts/pack-smoke.mjs"] },
    {
      name: "jsr dry-run",
      // --allow-dirty: the dry run judges the files as they are, committed or not. It needs no network.
      cmd: [bin("deno"), "publish", "--dry-run", "--allow-dirty"],
      env: { DENO_NO_UPDATE_CHECK: "1" },
    },
  ];
}

/** Runs one check with its output shown; true when it passed. */
export function runCheck(root, check) {
  console.log(`\n=== ${check.name}: ${basename(check.cmd[0])} ${check.cmd.slice(1).join(" ")}`);
  const res = spawnSync(check.cmd[0], check.cmd.slice(1), {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NO_COLOR: "1", ...check.env },
  });
  if (res.error) console.error(`${check.name}: ${res.error.message}`);
  return res.status === 0;
}
