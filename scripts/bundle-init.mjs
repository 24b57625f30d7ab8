// Bundles the container init stage (executor/host/linux/init/main.ts) into ONE file,
// dist/init.cjs: every container start pays for Node resolving and compiling modules, so
// one CommonJS file with no node_modules lookups keeps it at ~25 ms. koffi is not bundled
// at all: the init stage loads koffi's native binary directly from the absolute path the
// supervisor passes in its config.

import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const stage = (entry, outfile) =>
  build({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(root, outfile),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['koffi'],
    legalComments: 'none',
    logLevel: 'warning',
  });

// The exec stage (init/exec-main.ts) is built the same way: it starts for every `stack
// exec` and every healthcheck command.
await Promise.all([
  stage('executor/host/linux/init/main.ts', 'dist/init.cjs'),
  stage('executor/host/linux/init/exec-main.ts', 'dist/exec.cjs'),
]);
