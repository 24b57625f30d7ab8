// The init stage's pipes as plain fds (init-channel-fds.ts), which a CLI hosting its one
// container reads instead of sockets: status lines split anywhere, the go byte, EOF at the
// stage's exec, and a process that exits while its stage still waits for the go byte (libuv
// joins the thread pool at exit, where the status read waits). A shell stands in for the
// stage; plain processes, no namespaces.

import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { spawnChild } from '../../executor/host/linux/spawned-child.js';
import { FdInitChannel } from '../../executor/host/linux/init-channel-fds.js';
import { repoRoot } from '../support/stack-cli.js';

/** A stage: `ready` in two writes, then the go byte it read, then EOF on fd 4 and exit. */
const STAGE =
  'printf \'{"event":"re\' >&4; sleep 0.05; printf \'ady"}\\n\' >&4; ' +
  'go=$(head -c 1 <&3); exec 4>&-; [ "$go" = g ] && exit 0 || exit 9';

it('reads the ready line split across writes, releases with the go byte, and sees EOF at exec', async () => {
  const child = spawnChild('/bin/sh', ['-c', STAGE], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin' },
    rawPipes: true,
  });
  expect(child.pipes.filter(Boolean)).toEqual([]);
  const channel = new FdInitChannel(child.pipeFds[3]!, child.pipeFds[4]!);
  expect(await channel.next()).toEqual({ event: 'ready' });
  channel.release();
  expect(await channel.next()).toBeUndefined();
  channel.close();
  expect(await child.exited).toBe(0);
});

it('an error line is parsed; a line that is no JSON is an error of step unknown', async () => {
  const child = spawnChild(
    '/bin/sh',
    ['-c', `echo '{"event":"error","step":"mount","message":"no"}' >&4; echo 'plain text' >&4`],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], env: {}, rawPipes: true },
  );
  const channel = new FdInitChannel(child.pipeFds[3]!, child.pipeFds[4]!);
  expect(await channel.next()).toEqual({ event: 'error', step: 'mount', message: 'no' });
  expect(await channel.next()).toEqual({ event: 'error', step: 'unknown', message: 'plain text' });
  expect(await channel.next()).toBeUndefined();
  channel.close();
  await child.exited;
});

it('a process that exits while its stage waits for the go byte ends, and so does the stage', () => {
  // Without closing the go pipe at exit, the exit waits for the status read, the read for the
  // stage, and the stage for the go byte: the process never ends.
  const script = `
import { spawnChild } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/spawned-child.js'))};
import { FdInitChannel } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/init-channel-fds.js'))};
const child = spawnChild('/bin/sh', ['-c', 'echo "{\\\\"event\\\\":\\\\"ready\\\\"}" >&4; head -c 1 <&3 >/dev/null; sleep 0.2'], {
  stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' }, rawPipes: true,
});
const channel = new FdInitChannel(child.pipeFds[3], child.pipeFds[4]);
console.log(JSON.stringify(await channel.next()));
process.exit(3);
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  expect(r.error).toBeUndefined();
  expect([r.status, r.stdout.trim()]).toEqual([3, '{"event":"ready"}']);
});
