// docker compose's exit codes: 2 for a command line that cannot work (unknown command or
// flag, missing argument, bad value), 130 when Ctrl-C (SIGINT) ends an attached `up` or a
// `logs -f`, and the service's own code for `run`.

import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sleeperService, stack } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { startStack, waitFor } from '../support/processes.js';

const one = oneStackUnderTest('stkec');

beforeAll(() => {
  fs.writeFileSync(
    one.file,
    `name: ${one.project}\nservices:\n  a:\n${sleeperService().replace('command: sleep 1000', 'command: sh -c "echo ready; exec sleep 1000"')}`,
  );
});

describe('usage errors exit 2', () => {
  it.each([
    [['no-such-command']],
    [['--no-such-flag', 'ps']],
    [['up', '--no-such-flag']],
    [['scale']],
    [['--progress', 'bogus', 'ps']],
    [['-p', 'Bad Name', 'ps']],
    [['kill', '-s', 'NOSIGNAL']],
  ])('%j', (args) => {
    const r = stack(one.env, ['-f', one.file, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe('');
  });
});

describe('Ctrl-C exits 130', () => {
  it('of an attached `up`, once its containers stopped', async () => {
    const up = startStack(one.env, ['-f', one.file, 'up']);
    // The handler of Ctrl-C is in place once it says it is attached (before that, as when
    // compose is interrupted while it starts, the signal ends it: the shell's 130 too).
    await waitFor(() => up.stderr().includes('attached to the stack'), 30_000, 'the stack to start');
    up.child.kill('SIGINT');
    const r = await up.result;
    expect(r.code).toBe(130);
  });

  it('of `logs -f`', async () => {
    expect(stack(one.env, ['-f', one.file, 'up', '-d', '--wait']).code).toBe(0);
    const logs = startStack(one.env, ['-f', one.file, 'logs', '-f']);
    let out = '';
    logs.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    // Its first line printed: the follow is running (and Ctrl-C handled).
    await waitFor(() => out.includes('ready'), 30_000, 'the log to be followed');
    logs.child.kill('SIGINT');
    expect((await logs.result).code).toBe(130);
  });

  it("`run` exits with the service's code", () => {
    expect(stack(one.env, ['-f', one.file, 'run', '--rm', 'a', 'sh', '-c', 'exit 7']).code).toBe(7);
  });
});
