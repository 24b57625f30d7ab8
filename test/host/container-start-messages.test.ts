// Two failures of a container's start and stop, performed, and what the user reads: each
// message names the container, what is wrong, and what to do (rendered by cli/errors.ts).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { prepareContainer } from '../../executor/host/linux/container-prepare.js';
import { signalNumber, signalThenKill } from '../../executor/host/linux/container-signals.js';
import { MissingLayerError, UnknownSignalError } from '../../executor/host/linux/container-start-errors.js';
import { renderError } from '../../cli/errors.js';
import { readStartTime } from '../../store/proc-stat.js';
import { plainSpec } from '../support/plain-spec.js';

const saved = process.env.STACK_ROOT;
let root = '';
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-start-messages-'));
  process.env.STACK_ROOT = root;
});
afterEach(() => {
  if (saved === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = saved;
  fs.rmSync(root, { recursive: true, force: true });
});

it('names the container, the image, the missing layer and the fix when a layer was removed from the store', async () => {
  const layer = 'sha256:' + 'ab'.repeat(32);
  const spec = plainSpec('stkmsg', 'web', { image: { ref: 'example/web:1', id: 'i', layers: [layer] } });
  const err = await prepareContainer(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MissingLayerError);
  const { text } = await renderError(err);
  expect(text).toContain('container stkmsg-web-1');
  expect(text).toContain(`layer ${layer} of image example/web:1 is missing from the store`);
  expect(text).toContain('stack pull');
  // Nothing was made for it.
  expect(fs.existsSync(path.join(root, 'stacks'))).toBe(false);
});

it('names the container and the fix for a stop signal the host does not know', async () => {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => child.once('spawn', resolve));
    const err = await signalThenKill(
      child.pid!,
      readStartTime(child.pid!)!,
      'SIGNOPE',
      1,
      undefined,
      'stkmsg-web-1',
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnknownSignalError);
    const { text } = await renderError(err);
    expect(text).toBe(
      'stack: container stkmsg-web-1: cannot send signal "SIGNOPE": not a signal this host knows. Use a signal name such as SIGTERM, SIGINT or SIGQUIT, or a number from 1 to 64, in the service\'s stop_signal (then stack up --force-recreate) or in kill -s',
    );
    // The process was left alone: nothing was sent.
    expect(child.exitCode ?? child.signalCode).toBeNull();
  } finally {
    child.kill('SIGKILL');
  }
});

it("sends docker's real-time signal names (systemd's SIGRTMIN+3) as their numbers", () => {
  expect(signalNumber('SIGRTMIN+3')).toBe(37);
  expect(signalNumber('TERM')).toBe(15);
});
