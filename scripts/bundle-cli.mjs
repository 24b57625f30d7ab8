// Bundles the CLI (cli/main.ts) into dist/bundle/: stack.js (commander and the command
// registrations) plus one chunk per command implementation and shared chunks (ESM code
// splitting), so a command loads a handful of files instead of ~100 separately resolved
// modules (~35 ms less per command). bin/stack (a sh launcher) runs bin/stack.js, which runs dist/bundle/stack.js.
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
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/bundle');

/** Rewrites `import.meta.url` in our sources to the URL of the module's tsc output. */
const tscLayoutMetaUrl = {
  name: 'tsc-layout-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await fs.readFile(args.path, 'utf8');
      const rel = path.relative(root, args.path);
      if (rel.startsWith('..') || rel.startsWith('node_modules') || !text.includes('import.meta.url')) return undefined;
      const compiled = path.relative(outdir, path.join(root, 'dist', rel.replace(/\.ts$/, '.js')));
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(compiled)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

const common = {
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  // Bundled CommonJS dependencies (commander, yaml) call require() for node builtins.
  banner: {
    js: "import { createRequire as __stackCreateRequire } from 'node:module'; const require = __stackCreateRequire(import.meta.url);",
  },
  plugins: [tscLayoutMetaUrl],
  legalComments: 'none',
  logLevel: 'warning',
};

await fs.rm(outdir, { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: { stack: path.join(root, 'cli/main.ts') },
    splitting: true,
    chunkNames: '[name]-[hash]',
  }),
  // One file, no shared chunks: the supervisor loads everything it has at start anyway.
  build({ ...common, entryPoints: { supervisor: path.join(root, 'supervisor/main.ts') } }),
]);
