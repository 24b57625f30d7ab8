// Privileged: the symlink-exchange attack on mount targets (runc's CVE-2021-30465) from
// inside a container. Container A shares a volume with a starting container B whose stack
// file puts a file mount inside that volume (/data/conf/app.ini). A swaps `conf` between a
// directory and a symlink to a host folder as fast as it can; an init stage that resolves
// the target and then uses its path creates B's mount point in the host folder, or first
// removes what is there. The targets are now opened inside the rootfs and mounted onto by
// fd: after many starts the host folder is as it was. The number of starts is what makes
// the race likely (the native stage lost it within ~60 starts before, the Node one at once).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { MountSpec } from '../../model/plan.js';
import { busyboxFixture } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';

const fx = busyboxFixture('mrace');
const STARTS = 100;

beforeAll(() => {
  const bin = path.join(fx.tmp, 'swap-loop');
  execFileSync('gcc', ['-static', '-O1', '-o', bin, path.join(import.meta.dirname, 'fixtures/swap-loop.c')]);
  fx.buildLayer({ 'swap-loop': bin });
});
afterAll(() => fx.cleanupAll());

describe.each(INIT_STAGES)('mount targets in a volume another container changes (%s init stage)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('a symlink swapped in while the init stage works creates, removes and mounts nothing on the host', async () => {
    const hostFolder = fs.mkdtempSync(path.join(fx.tmp, 'host-folder-'));
    // What a removal through the link would take: a folder named like the mount's file.
    fs.mkdirSync(path.join(hostFolder, 'app.ini'));
    fs.writeFileSync(path.join(hostFolder, 'app.ini/keep'), 'host\n');
    const shared: MountSpec = {
      type: 'volume',
      source: `${fx.project}_shared_${stage}`,
      target: '/data',
      readOnly: false,
    };
    const attacker = fx.spec(['swap-loop', '/data', hostFolder], { mounts: [shared] });
    await fx.start(attacker);
    const source = path.join(fx.tmp, 'app.ini');
    fs.writeFileSync(source, 'config\n');
    const mounts: MountSpec[] = [shared, { type: 'bind', source, target: '/data/conf/app.ini', readOnly: true }];
    let started = 0;
    for (let i = 0; i < STARTS; i++) {
      // A start may fail when the swap lands mid-way (a clear error, never an escape).
      const r = await fx.run(['cat', '/data/conf/app.ini'], { mounts }).catch(() => undefined);
      if (r?.exit.exitCode === 0) started++;
    }
    await fx.removeAll(attacker.name);
    expect(fs.readdirSync(hostFolder)).toEqual(['app.ini']);
    expect(fs.readdirSync(path.join(hostFolder, 'app.ini'))).toEqual(['keep']);
    expect(fx.mountsMentioningTmp()).toEqual([]);
    expect(started).toBeGreaterThan(0);
  }, 120_000);
});
