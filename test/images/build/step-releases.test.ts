// RUN steps' containers are removed while the build goes on (images/build/step-releases.ts):
// the build must still wait for each removal, and a removal that fails must fail the build
// at its end rather than vanish as an unhandled rejection.

import { describe, expect, it } from 'vitest';
import { StepReleases } from '../../../images/build/step-releases.js';

describe('StepReleases', () => {
  it('waits for every removal it started', async () => {
    const releases = new StepReleases();
    const ended: number[] = [];
    for (const ms of [30, 5, 15])
      releases.start(() => new Promise<void>((resolve) => setTimeout(() => resolve(void ended.push(ms)), ms)));
    await releases.done();
    expect(ended.sort((a, b) => a - b)).toEqual([5, 15, 30]);
  });

  it('throws the first failure at done, after the others ended, and none as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const releases = new StepReleases();
      let slowEnded = false;
      releases.start(() => Promise.reject(new Error('veth busy')));
      releases.start(() => new Promise<void>((resolve) => setTimeout(() => resolve(void (slowEnded = true)), 20)));
      // A turn of the event loop passes before the build looks: the rejection must be held.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await expect(releases.done()).rejects.toThrow('veth busy');
      expect(slowEnded).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
