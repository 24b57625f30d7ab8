// `stack commit` with --pause (the default) freezes the container while its layer is
// written. The faults: a commit killed with SIGKILL while the container is frozen (its
// finally never runs), or stopped with SIGTERM; and a service of two replicas, of which only
// the one committed may stop. A container frozen with no pause recorded is thawed by the
// next `up` (found in review: it stayed frozen, and every replica was frozen).

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';
import { isFrozen } from '../support/frozen.js';

const stacks = stacksUnderTest('tcmp');
const env = () => stacks.env();

/** Two replicas; the first gets 96 MB of random bytes, so writing its layer takes seconds. */
async function upTwo(): Promise<{ f: string[]; pids: number[] }> {
  const { f } = stacks.up(`  box:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "touch /ready; exec sleep 1000"]
    stop_grace_period: 0s
    deploy: { replicas: 2 }
`);
  const rows = psJson<{ name: string; pid: number }>(stack(env(), [...f, 'ps', '--format', 'json']).stdout);
  const pids = [...rows].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => r.pid);
  for (const pid of pids) await waitFor(() => fs.existsSync(`/proc/${pid}/root/ready`));
  const big = fs.openSync(`/proc/${pids[0]}/root/tmp/big`, 'w');
  for (let i = 0; i < 96; i++) fs.writeSync(big, crypto.randomBytes(1 << 20));
  fs.closeSync(big);
  return { f, pids };
}

/** `stack commit box` in the background, once the first replica is frozen by it. */
async function commitUntilFrozen(f: string[], pids: number[]) {
  const child = spawn('node', [path.join(repoRoot, 'bin/stack.js'), ...f, 'commit', 'box', 'stack.local/cmp:1'], {
    env: env().env,
    cwd: env().root,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  await waitFor(() => isFrozen(pids[0]!), 60_000, 'the commit to freeze the first replica');
  return { child, exited, secondFrozen: isFrozen(pids[1]!) };
}

describe('stack commit --pause, interrupted', () => {
  it('kill -9 while frozen: only the committed replica was frozen, and `up` thaws it', async () => {
    const { f, pids } = await upTwo();
    const { child, exited, secondFrozen } = await commitUntilFrozen(f, pids);
    child.kill('SIGKILL');
    await exited;
    const up = stack(env(), [...f, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const rows = psJson<{ pid: number; paused?: boolean }>(stack(env(), [...f, 'ps', '--format', 'json']).stdout);
    expect({
      secondFrozenDuringCommit: secondFrozen,
      frozenAfterUp: pids.map(isFrozen),
      samePids: rows.map((r) => r.pid).sort(),
      paused: rows.some((r) => r.paused),
    }).toEqual({
      secondFrozenDuringCommit: false,
      frozenAfterUp: [false, false],
      samePids: [...pids].sort(),
      paused: false,
    });
  }, 180_000);

  it('SIGTERM while frozen: the commit thaws the container before it ends', async () => {
    const { f, pids } = await upTwo();
    const { child, exited } = await commitUntilFrozen(f, pids);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(pids.map(isFrozen)).toEqual([false, false]);
  }, 180_000);
});
