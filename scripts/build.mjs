/**
 * `npm run build`: compiles mod.ts, worker.ts, otel.ts and src/ to dist/ (JavaScript and declarations).
 *
 * tsc rewrites the sources' `.ts` import paths to `.js` in the JavaScript it emits
 * (rewriteRelativeImportExtensions) but leaves them as `.ts` in declaration files, which only
 * TypeScript 5 resolves to the `.d.ts` beside them. So the declarations' relative paths are
 * rewritten here to `.js`, which every TypeScript version and declaration tool understands.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

rmSync(dist, { recursive: true, force: true });
execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });

// `from "./x.ts"` and `import("../y.ts")`: relative specifiers only; package names stay as they are.
const relativeTs = /(from\s+|import\()(["'])(\.{1,2}\/[^"']*?)\.ts\2/g;
let rewritten = 0;
for (const file of readdirSync(dist, { recursive: true, encoding: "utf8" })) {
  if (!file.endsWith(".d.ts")) continue;
  const path = join(dist, file);
  const text = readFileSync(path, "utf8");
  const fixed = text.replace(relativeTs, (_, lead, quote, base) => `${lead}${quote}${base}.js${quote}`);
  if (fixed !== text) {
    writeFileSync(path, fixed);
    rewritten++;
  }
}
console.log(`build: dist/ written; import paths rewritten to .js in ${rewritten} declaration files`);
