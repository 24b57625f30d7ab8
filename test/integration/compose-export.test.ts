// `stack export` on the real kernel: the tar holds the container's merged view (the image's
// files, what the container wrote, not what it deleted), owners and modes kept, mount points
// (a volume, /proc) empty; a symlink to / in the container is written as a symlink.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';

const stacks = stacksUnderTest('texp');
const env = () => stacks.env();

describe('stack export', () => {
  it('-o FILE: the merged view with owners and modes, deletions gone, mount points empty', async () => {
    const setup = [
      'echo written > /tmp/mine',
      'chown 1234:5678 /tmp/mine',
      'chmod 4750 /tmp/mine',
      'ln -s / /tmp/up',
      'rm /bin/true',
      'echo in-volume > /data/v',
      'touch /ready',
      'exec sleep 1000',
    ].join('; ');
    const { f } = stacks.up(`  box:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", ${JSON.stringify(setup)}]
    volumes: ["/data"]
    stop_grace_period: 0s
`);
    const pid = psJson<{ pid: number }>(stack(env(), [...f, 'ps', '--format', 'json']).stdout)[0]!.pid;
    await waitFor(() => fs.existsSync(`/proc/${pid}/root/ready`));
    const out = path.join(env().root, 'box.tar');
    const r = stack(env(), [...f, 'export', 'box', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const list = execFileSync('tar', ['-tvf', out, '--numeric-owner'], { encoding: 'utf8' }).split('\n');
    const entry = (name: string) => list.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `));
    expect(entry('tmp/mine')).toMatch(/^-rwsr-x--- 1234\/5678 +8 /);
    expect(entry('tmp/up')).toMatch(/^l.* tmp\/up -> \/$/);
    expect(entry('bin/busybox')).toBeDefined(); // from the image's layer
    expect(entry('bin/true')).toBeUndefined(); // deleted in the container
    expect(entry('data/')).toBeDefined();
    expect(list.filter((l) => / data\/./.test(l))).toEqual([]); // the volume's content is not the container's
    expect(list.filter((l) => / proc\/./.test(l))).toEqual([]);
    expect(execFileSync('tar', ['-xOf', out, 'tmp/mine'], { encoding: 'utf8' })).toBe('written\n');
    // To stdout when it is no terminal.
    const piped = spawnSync(path.join(repoRoot, 'bin/stack'), [...f, 'export', 'box'], {
      env: env().env,
      maxBuffer: 1 << 26,
    });
    expect(piped.status, String(piped.stderr)).toBe(0);
    expect(piped.stdout.equals(fs.readFileSync(out))).toBe(true); // the same tree gives the same bytes
    expect(stack(env(), [...f, 'export', 'nope', '-o', out]).code).toBe(2);
  });
});
