// Bundles the container init stage (executor/host/linux/init/main.ts) into ONE file,
// dist/init.cjs: every container start pays for Node resolving and compiling modules, so
// one CommonJS file with no node_modules lookups keeps it at ~25 ms. koffi is not bundled
// at all: the init stage loads koffi's native binary directly from the absolute path the
// supervisor passes in its config.

import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(root, 'executor/host/linux/init/main.ts')],
  outfile: path.join(root, 'dist/init.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['koffi'],
  legalComments: 'none',
  logLevel: 'warning',
});
