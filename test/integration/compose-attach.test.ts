// `stack attach` on the real kernel: the container's output from now on, its stdin (with
// stdin_open) from ours, our signals sent on to it, the detach keys leaving it running, and
// the container's exit code as ours when it ends.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { detachKeys, detachScanner } from '../../cli/detach-keys.js';
import { psJson } from '../support/ps-json.js';

const stacks = stacksUnderTest('tatt');
const env = () => stacks.env();

function attach(f: string[], args: string[] = []) {
  const child = spawn(path.join(repoRoot, 'bin/stack'), [...f, 'attach', ...args, 'box'], { env: env().env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? 1 : 0))),
  );
  return { child, out: () => out, err: () => err, exited };
}

const ECHO = `  box:
    image: ${TEST_IMAGE}
    stdin_open: true
    command: ["sh", "-c", "trap 'echo got-term; exit 5' TERM; echo started; while read l; do echo got:$$l; [ \\"$$l\\" = bye ] && exit 3; done"]
    stop_grace_period: 0s
`;

describe('stack attach', () => {
  it('stdin reaches the container, its output comes back (not what it wrote before), its exit code is ours', async () => {
    const { f } = stacks.up(ECHO);
    await waitFor(() => stack(env(), [...f, 'logs', 'box']).stdout.includes('started'));
    const a = attach(f);
    a.child.stdin.write('hello\n');
    await waitFor(() => a.out().includes('got:hello'), 10_000, 'the echo');
    a.child.stdin.write('bye\n');
    expect(await a.exited).toBe(3);
    expect(a.out()).toBe('got:hello\ngot:bye\n');
  });

  it('the detach keys leave it running; a signal to attach goes to the container (--sig-proxy)', async () => {
    const { f } = stacks.up(ECHO);
    await waitFor(() => stack(env(), [...f, 'logs', 'box']).stdout.includes('started'));
    const a = attach(f);
    a.child.stdin.write('one\n\x10\x11');
    expect(await a.exited).toBe(0);
    expect(a.out()).toContain('got:one');
    const ps = () =>
      psJson<{ state: string; exitCode?: number }>(stack(env(), [...f, 'ps', '-a', '--format', 'json']).stdout);
    expect(ps()[0]!.state).toBe('running');
    const b = attach(f);
    b.child.stdin.write('two\n');
    await waitFor(() => b.out().includes('got:two'));
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(5);
    expect(b.out()).toContain('got-term');
    // A stopped container: exit 2, as a command line that cannot work.
    expect(stack(env(), [...f, 'attach', 'box']).code).toBe(2);
  });

  it('detach keys: ctrl-X and plain keys, a broken sequence passes on', () => {
    expect(detachKeys('ctrl-p,ctrl-q')).toEqual([0x10, 0x11]);
    expect(detachKeys('a,ctrl-@')).toEqual([0x61, 0]);
    expect(() => detachKeys('ctrl-1')).toThrow();
    const scan = detachScanner([0x10, 0x11]);
    expect(scan(Buffer.from('x\x10y'))).toEqual({ pass: Buffer.from('x\x10y'), detach: false });
    expect(scan(Buffer.from('\x10'))).toEqual({ pass: Buffer.alloc(0), detach: false });
    expect(scan(Buffer.from('\x11rest'))).toEqual({ pass: Buffer.alloc(0), detach: true });
  });
});
