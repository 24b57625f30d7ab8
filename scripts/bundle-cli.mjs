// Bundles the CLI (cli/main.ts) into one CommonJS file, dist/bundle/stack.cjs, which
// bin/stack.js compiles with a V8 code cache (vm.Script cachedData: Node 20 caches no ES
// module code). A command's own modules are still evaluated only when it runs: esbuild
// turns `await import('./x-action.js')` into a call of x-action's module initialiser.
// Then makes the code cache every command starts from (`common`, what `config` of the
// example stack compiles); each command adds its own on its first run.
// bin/stack (a sh launcher) runs bin/stack.js.
//
// Also bundles a stack's supervisor (supervisor/main.ts) into one file,
// dist/bundle/supervisor.js, which supervisor/client.ts spawns: its start is on the
// critical path of the first `up`, and one file loads faster than its ~40 modules.
//
// koffi stays external (a native module, loaded from node_modules). Modules that locate
// files from import.meta.url (the schema and precompiled validator, the supervisor's
// main.js, dist/init.cjs, koffi) see the URL they have in tsc's output under dist/, so the
// bundle finds exactly what the unbundled build finds; dist/ must therefore be built by tsc
// first (npm run build does both).

import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { COMMON } = createRequire(import.meta.url)('../bin/stack.js');
const outdir = path.join(root, 'dist/bundle');

/**
 * Rewrites `import.meta.url` in our sources to the URL of the module's tsc output, relative
 * to `base`: an expression for the bundle's own URL.
 */
const tscLayoutMetaUrl = (base) => ({
  name: 'tsc-layout-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await fs.readFile(args.path, 'utf8');
      const rel = path.relative(root, args.path);
      if (rel.startsWith('..') || rel.startsWith('node_modules') || !text.includes('import.meta.url')) return undefined;
      const compiled = path.relative(outdir, path.join(root, 'dist', rel.replace(/\.ts$/, '.js')));
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(compiled)}, ${base}).href`),
        loader: 'ts',
      };
    });
  },
});

const common = {
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  legalComments: 'none',
  logLevel: 'warning',
};

await fs.rm(outdir, { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: { stack: path.join(root, 'cli/main.ts') },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    // Our sources are ES modules, strict by definition; the bundle's one function keeps them so.
    banner: { js: "'use strict';\nconst __stackBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [tscLayoutMetaUrl('__stackBundleUrl')],
  }),
  // One file: the supervisor loads everything it has at start anyway.
  build({
    ...common,
    entryPoints: { supervisor: path.join(root, 'supervisor/main.ts') },
    format: 'esm',
    // Bundled CommonJS dependencies (yaml) call require() for node builtins.
    banner: {
      js: "import { createRequire as __stackCreateRequire } from 'node:module'; const require = __stackCreateRequire(import.meta.url);",
    },
    plugins: [tscLayoutMetaUrl('import.meta.url')],
  }),
]);

// The common code cache: what every command compiles (commander, the registrations) and
// what most do (the loader of stack files), as `config` of the example stack leaves it.
const r = spawnSync(
  process.execPath,
  [path.join(root, 'bin/stack.js'), '-f', path.join(root, 'examples/hello/stack.yaml'), 'config'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (r.status !== 0) throw new Error(`stack config exited ${r.status} while making the code cache`);
const caches = path.join(outdir, 'code-cache');
const [made] = await fs.readdir(caches);
await fs.rename(path.join(caches, made), path.join(caches, made.replace(/\.config\.v8$/, `.${COMMON}.v8`)));
