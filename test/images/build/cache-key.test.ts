import { describe, expect, it } from 'vitest';
import { baseKey, stepKey } from '../../../images/build/cache-key.js';
import type { CopyStep, RunStep } from '../../../images/build/build-plan.js';

const run: RunStep = {
  kind: 'run',
  line: 2,
  col: 1,
  argv: ['/bin/sh', '-c', 'make'],
  env: ['A=1'],
  user: '',
  workdir: '/',
  network: 'default',
  mounts: [],
  heredocs: [],
};
const copy: CopyStep = {
  kind: 'copy',
  line: 3,
  col: 1,
  add: false,
  from: { kind: 'context' },
  sources: ['src'],
  dest: '/app/',
  link: false,
  exclude: [],
  keepGitDir: false,
  heredocs: [],
};

describe('build cache keys', () => {
  const parent = baseKey({ kind: 'image', ref: 'busybox' }, { imageId: 'sha256:aaa' });

  it('are the same for the same step on the same parent, wherever the step sits in the file', () => {
    expect(stepKey(parent, run)).toBe(stepKey(parent, { ...run, line: 40 }));
    expect(stepKey(parent, copy, 'sha256:files')).toBe(stepKey(parent, { ...copy, col: 3 }, 'sha256:files'));
  });

  it('change with the parent, the command, the environment RUN sees and the copied files', () => {
    const key = stepKey(parent, run);
    expect(stepKey(baseKey({ kind: 'image', ref: 'busybox' }, { imageId: 'sha256:bbb' }), run)).not.toBe(key);
    expect(stepKey(parent, { ...run, argv: ['/bin/sh', '-c', 'make all'] })).not.toBe(key);
    expect(stepKey(parent, { ...run, env: ['A=2'] })).not.toBe(key);
    expect(stepKey(parent, copy, 'sha256:one')).not.toBe(stepKey(parent, copy, 'sha256:two'));
    expect(stepKey(parent, { ...copy, chmod: '755' }, 'sha256:one')).not.toBe(stepKey(parent, copy, 'sha256:one'));
  });

  it('keep field boundaries: moving text between fields gives another key', () => {
    expect(stepKey(parent, { ...run, user: 'ab', workdir: '/' })).not.toBe(
      stepKey(parent, { ...run, user: 'a', workdir: 'b/' }),
    );
  });

  it('start from scratch, an image id or the key of an earlier stage', () => {
    expect(baseKey({ kind: 'scratch' }, {})).not.toBe(parent);
    expect(baseKey({ kind: 'stage', index: 0 }, { stageKey: 'sha256:stage0' })).toBe('sha256:stage0');
  });
});
