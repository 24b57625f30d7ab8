// koffi 3.3.4's async calls, made two or more at once, came back with a wrong out parameter
// (the pid: 0, 32, 176…) or crashed the process (SIGSEGV) when one call's arrays did not fit
// its argument heap (128 KiB): a spawn with thousands of argv and env entries. A wrong pid
// is then waited for (ECHILD: exit code 255, the real child a zombie), signalled by `kill`
// and recorded. spawnContainerProcess keeps such a spawn on the calling thread. A container's
// start passes one env entry and one or two argv entries; this is any other caller's.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';

const script = `
import { spawnContainerProcess } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/threadpool-window.js'))};
const env = { X: 'a'.repeat(100000) };
for (let i = 0; i < 5000; i++) env['V' + i] = 'v' + i;
const args = ['-c', 'echo $$ >&3', 'sh', ...Array.from({ length: 3000 }, (_, i) => 'a' + i)];
const one = async () => {
  const c = await spawnContainerProcess('/bin/sh', args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env, detached: true }, { net: 'host', pid: 'host' });
  let out = '';
  c.pipes[3].setEncoding('utf8');
  c.pipes[3].on('data', (d) => (out += d));
  await new Promise((r) => c.pipes[3].on('close', r));
  const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('not reaped'), 2000).unref())]);
  return { pidIsTheChilds: c.pid === Number(out.trim()), code };
};
process.stdout.write(JSON.stringify(await Promise.all([one(), one(), one(), one(), one(), one()])));
`;

it('spawns with thousands of argv and env entries, several at once, each with its own pid', () => {
  const out = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15000 }),
  );
  expect(out).toEqual(Array.from({ length: 6 }, () => ({ pidIsTheChilds: true, code: 0 })));
});
