// RUN steps' containers are removed while the build goes on (images/build/pending-work.ts):
// the build must still wait for each removal, and a removal that fails must fail the build
// at its end rather than vanish as an unhandled rejection.

import { describe, expect, it } from 'vitest';
import { PendingWork } from '../../../images/build/pending-work.js';

describe('PendingWork', () => {
  it('waits for every removal it started', async () => {
    const pending = new PendingWork();
    const ended: number[] = [];
    for (const ms of [30, 5, 15])
      pending.start(() => new Promise<void>((resolve) => setTimeout(() => resolve(void ended.push(ms)), ms)));
    await pending.done();
    expect(ended.sort((a, b) => a - b)).toEqual([5, 15, 30]);
  });

  it('throws the first failure at done, after the others ended, and none as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pending = new PendingWork();
      let slowEnded = false;
      pending.start(() => Promise.reject(new Error('veth busy')));
      pending.start(() => new Promise<void>((resolve) => setTimeout(() => resolve(void (slowEnded = true)), 20)));
      // A turn of the event loop passes before the build looks: the rejection must be held.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await expect(pending.done()).rejects.toThrow('veth busy');
      expect(slowEnded).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
