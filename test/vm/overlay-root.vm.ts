// STACK_ROOT on overlayfs (the guest's own root is a tmpfs overlay on the host's /, as a
// live system's or a container's is): overlayfs refuses an upper dir on overlay, and `up`
// must say so — cause and fix — instead of the init stage's bare `mount overlay … EINVAL`.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { snapshotHostObjects, type HostObjects } from '../support/host-objects.js';
import { importTestImage, uniqueProject, writeStackFile, type StackEnv } from '../support/stack-cli.js';
import { noNewObjects, ok, stack } from './vm-support.js';

const OVERLAYFS_MAGIC = 0x794c7630;

describe('STACK_ROOT on overlayfs', () => {
  let env: StackEnv;
  let file: string;
  let hostBefore: HostObjects;

  before(() => {
    hostBefore = snapshotHostObjects();
    // On the guest's root (overlay), not on /tmp (tmpfs): STACK_RUN may stay anywhere.
    const root = fs.mkdtempSync('/root/stk-overlay-');
    assert.equal(fs.statfsSync(root).type, OVERLAYFS_MAGIC, `${root} must be on overlayfs for this test`);
    env = {
      root,
      env: { ...process.env, STACK_ROOT: path.join(root, 'lib'), STACK_RUN: path.join(root, 'run') },
      dispose: () => fs.rmSync(root, { recursive: true, force: true }),
    };
    importTestImage(env);
    file = writeStackFile(
      env,
      uniqueProject('stkvmov'),
      `  app:
    image: stack.local/busybox:latest
    command: sleep 1000
    network_mode: none
    stop_grace_period: 0s
`,
    );
  });

  after(() => env.dispose());

  it('up fails with the cause and the fix, not a bare EINVAL', () => {
    const up = stack(env, ['-f', file, 'up', '-d']);
    assert.equal(up.code, 1, up.stderr);
    assert.ok(
      up.stderr.includes(
        `STACK_ROOT ${path.join(env.root, 'lib')} is on overlayfs; overlayfs cannot use an upper dir on overlay; set STACK_ROOT to a folder on ext4/xfs/btrfs/tmpfs`,
      ),
      up.stderr,
    );
    assert.doesNotMatch(up.stderr, /EINVAL/);
  });

  it('down removes what the failed up made', async () => {
    ok(stack(env, ['-f', file, 'down', '-t', '0']), 'down');
    await noNewObjects(hostBefore);
  });
});
