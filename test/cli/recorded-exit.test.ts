// The race `stack wait` lost in a fresh-clone CI run: a container whose process has ended but
// whose exit the supervisor has not recorded yet (its record still says `running`) counted as
// exited with 0, and the die event that brought the real code was then ignored. The code must
// come from the record once written, or from the die event, whichever comes first. The clock
// is a fake: each sleep waits until the test lets it end.

import { describe, expect, it } from 'vitest';
import { EXIT_RECORD_WAIT_MS, recordedExit } from '../../cli/recorded-exit.js';
import type { ContainerRecord } from '../../model/records.js';
import { FakeClock } from '../support/fake-clock.js';

const record = (status: ContainerRecord['status'], exitCode?: number) =>
  ({ status, ...(exitCode !== undefined ? { exitCode } : {}) }) as ContainerRecord;

/** The project's fake clock, ticking one poll step (50 ms) at a time. */
function fakeClock() {
  const clock = new FakeClock();
  return { clock, tick: () => clock.advance(50) };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Tells whether a promise has settled yet, and how. */
function watch<T>(p: Promise<T>) {
  const state: { done: boolean; value?: T } = { done: false };
  void p.then((value) => Object.assign(state, { done: true, value }));
  return state;
}

describe('recordedExit', () => {
  it('waits for the record while it still says running, and takes its code once written', async () => {
    const clock = fakeClock();
    let now = record('running');
    const exit = watch(recordedExit({ read: async () => now, clock: clock.clock }));
    await settle();
    await clock.tick();
    await clock.tick();
    expect(exit.done).toBe(false); // never a guessed 0
    now = record('exited', 7);
    await clock.tick();
    expect(exit).toEqual({ done: true, value: 7 });
  });

  it('takes the die event when it comes before the record, and stops reading', async () => {
    const clock = fakeClock();
    let reads = 0;
    let die!: (code: number) => void;
    const died = new Promise<number>((resolve) => (die = resolve));
    const exit = watch(recordedExit({ read: async () => (reads++, record('running')), died, clock: clock.clock }));
    await settle();
    await clock.tick();
    expect(exit.done).toBe(false);
    die(7);
    await settle();
    expect(exit).toEqual({ done: true, value: 7 });
    const readsThen = reads;
    await clock.tick();
    await clock.tick();
    expect(reads).toBe(readsThen);
  });

  it('takes the record when it is written before the die event is heard', async () => {
    const clock = fakeClock();
    let now = record('running');
    const died = new Promise<number>(() => {});
    const exit = watch(recordedExit({ read: async () => now, died, clock: clock.clock }));
    await settle();
    now = record('exited', 3);
    await clock.tick();
    expect(exit).toEqual({ done: true, value: 3 });
  });

  it('answers at once for a container whose exit is already recorded, or whose record is gone', async () => {
    // The clock never moves: a wait would never end.
    const clock = fakeClock();
    expect(await recordedExit({ read: async () => record('exited', 0), clock: clock.clock })).toBe(0);
    expect(await recordedExit({ read: async () => undefined, clock: clock.clock })).toBeUndefined();
  });

  it('gives up, with no code, after EXIT_RECORD_WAIT_MS of a record that stays running', async () => {
    const clock = fakeClock();
    const exit = watch(recordedExit({ read: async () => record('running'), clock: clock.clock }));
    await settle();
    let ticks = 0;
    while (!exit.done && ticks < 1000) {
      await clock.tick();
      ticks++;
    }
    expect(exit).toEqual({ done: true, value: undefined });
    expect(ticks).toBe(EXIT_RECORD_WAIT_MS / 50);
  });
});
