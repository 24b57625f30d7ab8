// The per-stack lock on the real CLI: while another process holds a stack's lock, `up`
// and `down` wait, say who holds it, and go on once it is released; `down` removes the
// lock file with the rest of the stack. The kernel frees the lock of a killed holder.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireStackLock, lockFile } from '../../store/stack-lock.js';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';
import { killSupervisors, startStack, waitFor } from '../support/processes.js';

let env: StackEnv;
let file: string;
let project: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tlock');
  file = writeStackFile(env, project, `  idle:\n    image: ${TEST_IMAGE}\n    command: sleep 100000\n`);
  // acquireStackLock in this process finds the lock file through STACK_RUN.
  process.env.STACK_RUN = env.env.STACK_RUN;
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await killSupervisors(project);
  delete process.env.STACK_RUN;
  env.dispose();
});

describe('stack lock', () => {
  it('up waits for the holder, names it, then applies', async () => {
    const lock = await acquireStackLock(project, { command: 'test holder' });
    const up = startStack(env, ['-f', file, 'up', '-d']);
    await waitFor(
      () => up.stderr().includes(`waiting for the lock held by pid ${process.pid} (test holder)`),
      10_000,
      'the waiting message',
    );
    // Nothing happens while it waits.
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.existsSync(`${env.env.STACK_ROOT}/stacks/${project}`)).toBe(false);
    lock.release();
    const r = await up.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/container\.start/);
  });

  it('a lock whose holder was killed is free at once', async () => {
    // Another process takes the lock and is SIGKILLed while holding it.
    const script = `import { acquireStackLock } from ${JSON.stringify(path.join(repoRoot, 'dist/store/stack-lock.js'))};
await acquireStackLock(${JSON.stringify(project)}, { command: 'doomed holder' });
process.stdout.write('held\\n');
setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], { env: env.env });
    let out = '';
    holder.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => holder.once('exit', r));
    await waitFor(() => out.includes('held'), 10_000, 'the holder to take the lock');
    holder.kill('SIGKILL');
    await exited;
    const again = stack(env, ['-f', file, 'up', '-d']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/waiting for the lock/);
  });

  it('down waits too, and removes the lock file with the stack', async () => {
    const lock = await acquireStackLock(project, { command: 'stack up' });
    const down = startStack(env, ['-f', file, 'down', '-t', '0']);
    await waitFor(
      () => down.stderr().includes(`waiting for the lock held by pid ${process.pid} (stack up)`),
      10_000,
      'the waiting message',
    );
    lock.release();
    const r = await down.result;
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(lockFile(project))).toBe(false);
  });

  it('a failed up leaves no lock file', () => {
    const failing = uniqueProject('tlockf');
    const broken = path.join(env.root, `${failing}.yaml`);
    // Fails in its plan, before anything is made: the external network does not exist.
    fs.writeFileSync(
      broken,
      `name: ${failing}\nservices:\n  idle:\n    image: ${TEST_IMAGE}\n    command: sleep 100000\n    networks: [outside]\nnetworks:\n  outside:\n    external: true\n`,
    );
    const r = stack(env, ['-f', broken, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/outside/);
    expect(fs.existsSync(lockFile(failing))).toBe(false);
  });
});
