// What the one-shot `stack run --rm --image REF -- CMD` loads is its start-up time (issue 16:
// ≤ 60 ms). node:crypto alone is ~3.5 ms of CPU and the image unpacker's zlib (with zstd) ~2
// ms, and the one-shot needs neither: a top-level import of either in a module on its way (the
// spec's hash, a record's temporary name, a constant beside the unpacker) brings it back. Nor
// fs/promises (~1 ms) and os, which the run bundle loads when first used (bundle-cli.mjs
// LAZY_BUILTINS): one call on the one-shot's way (an fs.promises.* anywhere) brings them back.
// Nor child_process (~3 ms with its modules): the container's spawn is posix_spawn, and a
// `run -d` watcher (run-detached.ts) loads it when it starts. Nor net with stream (~2 ms): the
// init stage's pipes are plain fds (init-channel-fds.ts), and Node's own stdout and stderr,
// pipes here, are made only when written to (one-shot-run.ts).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importTestImage, makeStackEnv, repoRoot, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
let probe: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  probe = path.join(env.root, 'probe.cjs');
  fs.writeFileSync(
    probe,
    // The list is taken before process.stderr is made (for a pipe that loads net).
    "const before = new Set(process.moduleLoadList);\nprocess.on('exit', () => { const loaded = process.moduleLoadList.filter((m) => !before.has(m)).join(','); process.stderr.write(`\\nloaded: ${loaded}\\n`); });\n",
  );
});

afterAll(() => env.dispose());

it('loads neither node:crypto, zlib, fs/promises, os, child_process nor net, and leaves no container', () => {
  const trace = path.join(env.root, 'trace');
  const r = spawnSync(
    process.execPath,
    [
      '-r',
      probe,
      path.join(repoRoot, 'bin/stack.js'),
      'run',
      '--rm',
      '--image',
      TEST_IMAGE,
      '--network',
      'none',
      '--',
      '/bin/true',
    ],
    { cwd: env.root, env: { ...env.env, STACK_TRACE: trace }, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  // from its own bundle (bin/stack.js isOneShot), not run.cjs's 2 MB
  expect(fs.readFileSync(trace, 'utf8')).toMatch(/ loader: one-shot\.cjs$/m);
  const loaded = /loaded: (.*)/.exec(r.stderr)?.[1]?.split(',') ?? [];
  expect(loaded).toContain('NativeModule vm'); // the probe sees what was loaded (bin/stack.js's)
  expect(
    loaded.filter((m) => /^NativeModule (crypto|zlib|(internal\/)?fs\/promises|os|child_process|net|stream)$/.test(m)),
  ).toEqual([]);
  const containers = path.join(env.env.STACK_ROOT!, 'stacks', '_run', 'containers');
  expect(fs.existsSync(containers) ? fs.readdirSync(containers) : []).toEqual([]);
});
