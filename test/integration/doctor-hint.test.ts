// `up` on a host that cannot run it says why in one line from `stack doctor`: here STACK_ROOT
// sits on an overlay mount the test makes, which overlayfs refuses as an upper dir (the
// container's start fails with a raw `mount overlay … EINVAL`).

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSupervisors, supervisorPids, waitFor, watchdogPids } from '../support/processes.js';
import { runWithoutLibnftables } from '../support/hidden-libnftables.js';
import { mountTestOverlay } from '../support/overlay-mount.js';
import { runTool } from '../support/run-tool.js';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  sleeperService,
  stack,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';

let base: StackEnv;
let env: StackEnv;
let merged: string;

beforeAll(async () => {
  base = makeStackEnv();
  merged = await mountTestOverlay(path.join(base.root, 'stk-overlay'), 'stk-doctor-hint');
  env = { ...base, env: { ...base.env, STACK_ROOT: path.join(merged, 'lib') } };
  importTestImage(env);
  importTestImage(base);
});

afterAll(async () => {
  // A process of the stack that has just exited may still pin the mount for a moment.
  await waitFor(
    () =>
      runTool('umount', [merged]).then(
        () => true,
        () => false,
      ),
    10_000,
    `umount ${merged}`,
  );
  base.dispose();
});

describe('up on a host that lacks a piece', () => {
  it("STACK_ROOT on overlay: up fails and prints the doctor's line for STACK_ROOT with its fix", async () => {
    const project = uniqueProject('stkhint');
    writeStackFile(env, project, `  a:\n${sleeperService()}`);
    try {
      const up = stack(env, ['up', '-d']);
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(/overlay/); // the mount EINVAL, or the runtime's own overlay error once it names it
      expect(up.stderr).toMatch(
        /stack doctor \(stack-root\): .*lib is on overlayfs: overlayfs refuses an upper dir on overlay.* — fix: point STACK_ROOT at a folder on another filesystem/,
      );
    } finally {
      expect(stack(env, ['down']).code).toBe(0);
      // The supervisor and its watchdog keep files on the overlay open until they have exited.
      await waitFor(
        () => supervisorPids(project).length + watchdogPids(project).length === 0 || undefined,
        10_000,
        "the stack's processes to exit",
      );
    }
  });

  it("no libnftables: up fails and prints the doctor's nftables line with the package to install", async () => {
    const project = uniqueProject('stkhint');
    writeStackFile(base, project, `  a:\n${sleeperService()}`);
    try {
      const up = runWithoutLibnftables([path.join(repoRoot, 'bin/stack'), 'up', '-d'], {
        cwd: base.root,
        env: base.env,
      });
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(/^stack: nft: libnftables\.so\.1 not found/m);
      expect(up.stderr).toMatch(
        /^stack doctor \(nftables\): libnftables cannot list the host's tables: .* — fix: apt-get install nftables/m,
      );
    } finally {
      // The supervisor that up started lives in the namespace without the library: it cannot
      // take the stack down, so it goes first and down runs from here.
      await killSupervisors(project);
      const down = stack(base, ['-p', project, 'down']);
      expect(down.code, down.stderr).toBe(0);
    }
  });
});
