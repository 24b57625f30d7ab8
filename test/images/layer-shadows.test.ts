// The kept shadows of one-layer image volumes (images/layer-shadows.ts): one folder per layer
// folder shown, named by the layer, and removed with that layer only.

import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { forgetLayerShadows, layerShadowDir } from '../../images/layer-shadows.js';
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
