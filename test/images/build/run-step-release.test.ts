// A RUN step's container, once exited, is removed while its layer is committed: its upper
// folder is moved out of the container's first, so the removal (which waits on the kernel
// for its veth) cannot take it, and the layer is still what the step made.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../../images/build/build-image.js';
import type { StepRunner } from '../../../images/build/build-request.js';
import { paths } from '../../../store/paths.js';
import { buildRequest } from '../../support/build-request.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-run-release-'));
process.env.STACK_ROOT = path.join(tmp, 'root');
process.env.STACK_RUN = path.join(tmp, 'run');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const events = { stepStarted: () => {}, stepOutput: () => {}, stepDone: () => {} };
const storedLayers = () => {
  const dir = path.dirname(paths.layerDir(`sha256:${'0'.repeat(64)}`));
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

describe('a RUN step that ran', () => {
  it('starts its container’s removal before its layer is committed, with the upper folder moved out', async () => {
    const ctx = fs.mkdtempSync(path.join(tmp, 'ctx-'));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nRUN make-a-file\n');
    const upper = path.join(tmp, 'container-upper');
    fs.mkdirSync(upper);
    fs.writeFileSync(path.join(upper, 'made-by-run'), 'made');
    const atRelease: { upperThere: boolean; layers: number }[] = [];
    const runner: StepRunner = {
      run: async () => ({
        exitCode: 0,
        upper,
        release: async () => {
          atRelease.push({ upperThere: fs.existsSync(upper), layers: storedLayers().length });
        },
      }),
      end: async () => {},
    };
    const info = await buildImage(buildRequest(ctx, 'stack.local/released:1'), {
      runner,
      events,
      baseImage: () => Promise.reject(new Error('FROM scratch')),
    });
    expect(atRelease).toEqual([{ upperThere: false, layers: 0 }]);
    expect(info.layers).toHaveLength(1);
    expect(fs.readFileSync(path.join(paths.layerDir(info.layers[0]!), 'made-by-run'), 'utf8')).toBe('made');
  });
});
