// Builds the native stages, native/*.c → dist/stack-init, one static binary (it runs as
// PID 1 inside containers, whose images have their own libc or none): the init stage, and
// with the argument `exec` the exec stage. Without a C
// compiler stack still works: containers start through the portable Node init stage, ~30 ms
// slower each. A compiler that fails on our own source fails the build. Beside it,
// native/window/window.c → dist/libstack-window.so: the supervisor's namespace window as one
// call for its threadpool (executor/host/linux/threadpool-window.ts).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/stack-init');
const windowLib = path.join(root, 'dist/libstack-window.so');
const cc = process.env.CC ?? 'gcc';

if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) {
  fs.rmSync(out, { force: true });
  fs.rmSync(windowLib, { force: true });
  process.stderr.write(
    `note: no C compiler (${cc}): containers start through the portable Node init stage; apt-get install gcc libc6-dev for the native one\n`,
  );
} else {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const sources = fs
    .readdirSync(path.join(root, 'native'))
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => path.join(root, 'native', f));
  const args = ['-O2', '-static', '-pthread', '-Wall', '-Wextra', '-Werror', '-o', out, ...sources];
  const r = spawnSync(cc, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cc} ${args.join(' ')} failed`);
  // The namespace window as one call, for the supervisor's threadpool (threadpool-window.ts).
  const libArgs = [
    '-O2',
    '-shared',
    '-fPIC',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-o',
    windowLib,
    path.join(root, 'native/window/window.c'),
  ];
  const l = spawnSync(cc, libArgs, { stdio: 'inherit' });
  if (l.status !== 0) throw new Error(`${cc} ${libArgs.join(' ')} failed`);
}
