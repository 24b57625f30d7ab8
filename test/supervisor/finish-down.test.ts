// The supervisor finishing a down that kept a network for other stacks (supervisor/finish-down.ts),
// against a FakeHost: nothing while another stack still joins, the whole teardown once none
// does, nothing at all once the stack is up again, and never while a command holds the lock.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHost } from '../../executor/fake-host.js';
import type { Journal, JournalEntry } from '../../executor/journal.js';
import { acquireStackLock } from '../../store/stack-lock.js';
import { emptyObserved, type Observed } from '../../model/observed.js';
import { finishDownWhenFree } from '../../supervisor/finish-down.js';

const network = {
  key: 'shared',
  name: 'p_shared',
  bridge: 'stkb1',
  subnet: '10.123.1.0/24',
  gateway: '10.123.1.1',
  linkPresent: true,
};
const kept: Observed = {
  ...emptyObserved('p'),
  networks: [{ ...network, foreignUsers: ['q-joiner-1'], foreignIps: ['10.123.1.9'] }],
};
const free: Observed = { ...emptyObserved('p'), networks: [network] };
const journal = (): Journal => {
  const entries: JournalEntry[] = [];
  return { previous: () => [], append: (e) => entries.push(e) };
};
let run: string;
const saved = process.env.STACK_RUN;

beforeAll(() => {
  run = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-finish-'));
  process.env.STACK_RUN = run;
});
afterAll(() => {
  process.env.STACK_RUN = saved;
  fs.rmSync(run, { recursive: true, force: true });
});

/** Arms a finisher on `host` and runs `ticks` checks; the outcomes of those checks. */
async function checks(
  host: FakeHost,
  ticks: number,
  before?: (f: ReturnType<typeof finishDownWhenFree>) => void,
): Promise<string[]> {
  const outcomes: string[] = [];
  const finisher = finishDownWhenFree({
    project: 'p',
    host,
    journal,
    dns: { reload: async () => {} },
    log: () => {},
    checkMs: 10,
    run: async (task) => void outcomes.push(await task()),
  });
  finisher.arm();
  before?.(finisher);
  await new Promise((r) => setTimeout(r, 10 * ticks + 15));
  finisher.disarm();
  return outcomes;
}

describe('finishing a down that kept a network for other stacks', () => {
  it('waits while another stack still joins the network', async () => {
    const host = new FakeHost({ observed: kept });
    expect((await checks(host, 3)).every((o) => o === 'continue')).toBe(true);
    expect(host.calls.filter((c) => !c.startsWith('observe') && !c.startsWith('allocation'))).toEqual([]);
  });

  it('removes the network and forgets the stack once two checks in a row found it free, then exits', async () => {
    const host = new FakeHost({ observed: free });
    expect((await checks(host, 4)).slice(0, 2)).toEqual(['continue', 'exit']);
    expect(host.calls.filter((c) => !c.startsWith('observe') && !c.startsWith('allocation'))).toEqual([
      'networks.removeBridge stkb1',
      'state.removeNetwork shared',
      'state.forget p',
    ]);
  });

  it("counts an address another stack's apply in progress claims on the network as a user", async () => {
    const claimed: Observed = { ...emptyObserved('p'), networks: [{ ...network, foreignIps: ['10.123.1.9'] }] };
    const host = new FakeHost({ observed: claimed });
    expect((await checks(host, 3)).every((o) => o === 'continue')).toBe(true);
    expect(host.calls.filter((c) => !c.startsWith('observe') && !c.startsWith('allocation'))).toEqual([]);
  });

  it('does nothing while a command holds the stack lock, nor once the stack is up again', async () => {
    const lock = await acquireStackLock('p', { command: 'stack up' });
    const host = new FakeHost({ observed: free });
    expect(await checks(host, 3)).toEqual(expect.arrayContaining(['continue']));
    expect(host.calls).toEqual([]);
    lock.release();
    const back = new FakeHost({
      observed: {
        ...free,
        containers: [
          {
            name: 'p-web-1',
            service: 'web',
            hash: 'h',
            running: true,
            stopSignal: 'SIGTERM',
            stopGraceSeconds: 10,
            endpoints: [],
          },
        ],
      },
    });
    const outcomes = await checks(back, 3);
    expect(outcomes).toEqual(['continue']); // disarmed at the first check
    expect(back.calls).toEqual(['allocation.lock p', 'observe p', 'allocation.release p']);
  });
});
