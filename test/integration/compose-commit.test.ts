// `stack commit` on the real kernel: the container's changes (a file written, one deleted)
// become a layer over its image; -c instructions change the config; the new image runs.

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';

const stacks = stacksUnderTest('tcmt');
const env = () => stacks.env();

describe('stack commit', () => {
  it('SERVICE REPO:TAG -c -m -a: a layer of the changes, the config changed, the container unpaused after', async () => {
    const setup = 'echo committed > /tmp/new; chmod 4711 /tmp/new; rm /bin/true; touch /ready; exec sleep 1000';
    const { f } = stacks.up(`  box:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "${setup}"]
    stop_grace_period: 0s
`);
    const pid = psJson<{ pid: number }>(stack(env(), [...f, 'ps', '--format', 'json']).stdout)[0]!.pid;
    await waitFor(() => fs.existsSync(`/proc/${pid}/root/ready`));
    const r = stack(env(), [
      ...f,
      'commit',
      '-c',
      'ENV X=from-commit',
      '-c',
      'CMD ["sh", "-c", "cat /tmp/new; echo $X"]',
      '-m',
      'a message',
      '-a',
      'Someone <s@example.com>',
      'box',
      'stack.local/committed:v1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const ps = psJson<{ paused?: boolean; pid: number }>(stack(env(), [...f, 'ps', '--format', 'json']).stdout);
    expect(ps[0]).toMatchObject({ pid });
    expect(ps[0]!.paused).toBeUndefined();
    // The image runs with the new file, without the deleted one, and with the new config.
    const run = stack(env(), ['run', '--rm', '--image', 'stack.local/committed:v1', '--network', 'none']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('committed\nfrom-commit\n');
    const ls = stack(env(), [
      'run',
      '--rm',
      '--image',
      'stack.local/committed:v1',
      '--network',
      'none',
      '--',
      'sh',
      '-c',
      'ls -l /tmp/new; ls /bin/true',
    ]);
    expect(ls.stdout).toMatch(/^-rws--x--x /);
    expect(ls.code).not.toBe(0); // /bin/true is gone
    // Author and message are in the config blob, as docker keeps them.
    const blob = fs
      .readdirSync(`${env().env.STACK_ROOT}/images/blobs/sha256`)
      .map((b) => fs.readFileSync(`${env().env.STACK_ROOT}/images/blobs/sha256/${b}`))
      .find((b) => b.includes('a message'));
    expect(JSON.parse(blob!.toString())).toMatchObject({ author: 'Someone <s@example.com>' });
    // Only instructions that change the config.
    expect(stack(env(), [...f, 'commit', '-c', 'RUN true', 'box', 'stack.local/committed:v2']).code).toBe(1);
    expect(stack(env(), ['image', 'rm', 'stack.local/committed:v1']).code).toBe(0);
  });
});
