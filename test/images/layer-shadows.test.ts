// The kept shadows of one-layer image volumes (images/layer-shadows.ts): one folder per layer
// folder shown, named by the layer, and removed with that layer only; one built aside by a
// builder that is gone is removed by the next build or the image GC, a live builder's is not.

import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { forgetLayerShadows, layerShadowDir, removeDeadAsides } from '../../images/layer-shadows.js';
import { paths } from '../../store/paths.js';
import { useTempStackRoot } from '../support/temp-stack-root.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
useTempStackRoot('shadows');

it("names a shadow by its layer and subpath, and forgets only that layer's", async () => {
  const whole = layerShadowDir(paths.layerDir(digest('a')));
  const sub = layerShadowDir(path.join(paths.layerDir(digest('a')), 'data', 'sub'));
  const other = layerShadowDir(paths.layerDir(digest('b')));
  expect(new Set([whole, sub, other]).size).toBe(3);
  expect(path.basename(sub).startsWith(`${'a'.repeat(64)}-`)).toBe(true);
  for (const d of [whole, sub, other]) fs.mkdirSync(path.join(d, 'x'), { recursive: true });
  await forgetLayerShadows(digest('a'));
  expect([whole, sub, other].map((d) => fs.existsSync(d))).toEqual([false, false, true]);
});

it('removes the shadows built aside whose builder is gone, and no other folder', async () => {
  const kept = layerShadowDir(paths.layerDir(digest('c')));
  const gone = spawnSync('true').pid!; // exited and reaped: the pid of a killed builder
  const dead = `${kept}.partial-${gone}-0000aaaa`;
  const live = `${kept}.partial-${process.pid}-0000bbbb`;
  const otherDead = `${layerShadowDir(paths.layerDir(digest('d')))}.partial-${gone}-0000cccc`;
  for (const d of [kept, dead, live, otherDead]) fs.mkdirSync(path.join(d, 'x'), { recursive: true });
  expect(await removeDeadAsides(kept)).toBe(1);
  expect([kept, dead, live, otherDead].map((d) => fs.existsSync(d))).toEqual([true, false, true, true]);
  expect(await removeDeadAsides()).toBe(1);
  expect([kept, live, otherDead].map((d) => fs.existsSync(d))).toEqual([true, true, false]);
});
