// Short links for overlays of many layers (images/short-layer-links.ts): a link is made once
// and kept, a link that points to another layer (a digest prefix two layers share) is an
// error rather than that layer, overlays that fit keep the layers' own folders, and the
// image GC's forget removes only a link that points to the layer it removes.

import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetShortLayerLink, overlayLayerDirs, shortLayerLink } from '../../images/short-layer-links.js';
import { paths } from '../../store/paths.js';
import { useTempStackRoot } from '../support/temp-stack-root.js';

const digest = (c: string) => `sha256:${'0123456789abcdef'}${c.repeat(48)}`;
useTempStackRoot('links');
beforeEach(() => {
  for (const c of ['a', 'b']) fs.mkdirSync(paths.layerDir(digest(c)), { recursive: true });
  fs.writeFileSync(path.join(paths.layerDir(digest('a')), 'file'), 'of layer a\n');
});

describe('short layer links', () => {
  it('name the layer by a 16-character link that leads to its folder, made once', async () => {
    const link = await shortLayerLink(digest('a'));
    expect(path.basename(link)).toBe('0123456789abcdef');
    expect(fs.readFileSync(path.join(link, 'file'), 'utf8')).toBe('of layer a\n');
    expect(await shortLayerLink(digest('a'))).toBe(link);
  });

  it('refuse a prefix another layer has: never the other layer', async () => {
    await shortLayerLink(digest('a'));
    await expect(shortLayerLink(digest('b'))).rejects.toThrow('two layers share it');
  });

  it('are used only when the own folders do not fit', async () => {
    const layers = [digest('a'), digest('b')];
    expect(await overlayLayerDirs(layers, () => true)).toEqual(layers.map((l) => paths.layerDir(l)));
    expect(fs.existsSync(path.join(paths.imagesDir(), 'l'))).toBe(false);
    await expect(overlayLayerDirs(layers, () => false)).rejects.toThrow('two layers share it');
  });

  it("go with their layer, and only their layer's", async () => {
    const link = await shortLayerLink(digest('a'));
    await forgetShortLayerLink(digest('b'));
    expect(fs.existsSync(link)).toBe(true);
    await forgetShortLayerLink(digest('a'));
    expect(fs.lstatSync(link, { throwIfNoEntry: false })).toBeUndefined();
  });
});
