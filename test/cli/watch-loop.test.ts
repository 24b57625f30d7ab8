// The watch loop's timing parts with an injected clock: a burst of edits gives one cycle
// once the quiet time has passed, and cycles never overlap, with at most one queued.

import { describe, expect, it } from 'vitest';
import { ApplyQueue } from '../../cli/watch/apply-queue.js';
import { Debouncer, type Clock } from '../../cli/watch/debounce.js';

/** A clock moved by hand. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  return {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

describe('Debouncer', () => {
  it('turns a burst of changes into one call once the quiet time has passed', () => {
    const clock = manualClock();
    const bursts: string[][] = [];
    const d = new Debouncer(clock, 100, (paths) => bursts.push(paths));
    d.poke('/s/stack.yaml');
    clock.advance(60);
    d.poke('/s/.env');
    clock.advance(60);
    d.poke('/s/stack.yaml');
    clock.advance(99);
    expect(bursts).toEqual([]);
    clock.advance(1);
    expect(bursts).toEqual([['/s/.env', '/s/stack.yaml']]);
    d.poke('/s/stack.yaml');
    clock.advance(100);
    expect(bursts).toEqual([['/s/.env', '/s/stack.yaml'], ['/s/stack.yaml']]);
  });

  it('waits the longer quiet time once many changes are pending (a checkout pauses now and then)', () => {
    const clock = manualClock();
    const bursts: string[][] = [];
    const d = new Debouncer(clock, 20, (paths) => bursts.push(paths), { paths: 3, quietMs: 500 });
    d.poke('/a');
    clock.advance(20);
    expect(bursts).toEqual([['/a']]);
    for (const p of ['/b', '/c', '/d']) d.poke(p);
    clock.advance(400); // a pause of the writer, longer than 20 ms
    d.poke('/e');
    clock.advance(499);
    expect(bursts).toEqual([['/a']]);
    clock.advance(1);
    expect(bursts).toEqual([['/a'], ['/b', '/c', '/d', '/e']]);
  });

  it('counts the changes a burst began with: once some went on their own, the rest waits for its end', () => {
    const clock = manualClock();
    const bursts: string[][] = [];
    const d = new Debouncer(clock, 20, (paths) => bursts.push(paths), { paths: 3, quietMs: 500 });
    d.poke('/a');
    d.poke('/b');
    clock.advance(20); // a pause of the writer: the first two go
    d.poke('/c'); // the third change of the burst: from here on it waits the long time
    clock.advance(400);
    d.poke('/d');
    clock.advance(499);
    expect(bursts).toEqual([['/a', '/b']]);
    clock.advance(1);
    expect(bursts).toEqual([
      ['/a', '/b'],
      ['/c', '/d'],
    ]);
    clock.advance(500); // a long quiet: counting starts again
    d.poke('/e');
    clock.advance(20);
    expect(bursts).toEqual([['/a', '/b'], ['/c', '/d'], ['/e']]);
  });

  it('cancel drops a pending burst', () => {
    const clock = manualClock();
    const bursts: string[][] = [];
    const d = new Debouncer(clock, 100, (paths) => bursts.push(paths));
    d.poke('/s/stack.yaml');
    d.cancel();
    clock.advance(1000);
    expect(bursts).toEqual([]);
  });
});

describe('ApplyQueue', () => {
  it('runs one cycle at a time and merges triggers during a cycle into one more', async () => {
    const log: string[] = [];
    const gates: (() => void)[] = [];
    let n = 0;
    const queue = new ApplyQueue(async () => {
      const i = ++n;
      log.push(`start ${i}`);
      await new Promise<void>((resolve) => gates.push(resolve));
      log.push(`end ${i}`);
    });
    queue.trigger();
    queue.trigger();
    queue.trigger();
    await Promise.resolve();
    expect(log).toEqual(['start 1']);
    gates.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['start 1', 'end 1', 'start 2']);
    gates.shift()!();
    await queue.idle();
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('a failing cycle does not stop the next one', async () => {
    let runs = 0;
    const queue = new ApplyQueue(async () => {
      runs++;
      if (runs === 1) throw new Error('boom');
    });
    queue.trigger();
    await queue.idle();
    queue.trigger();
    await queue.idle();
    expect(runs).toBe(2);
  });
});
