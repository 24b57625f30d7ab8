// A slot whose old container and its make-before-break replacement both run: `exec`, `cp`,
// `attach` (cli/service-containers.ts), a `network_mode: service:X` join (store/slot-record.ts)
// and the DNS server (supervisor/dns/slot-answers.ts) must pick the same one, the one
// serving: the old one until the replacement is ready, then the replacement. The names
// alternate (`p-web-1` is replaced by `p-web-1.b`, that one by `p-web-1`), so the old one
// can have either. Before, the slot's own name won in slotRecord and the last record read in
// serviceContainers, whichever was old, and with neither running the two picked differently.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceContainers } from '../../cli/service-containers.js';
import type { ContainerRecord } from '../../model/records.js';
import { readStartTime } from '../../store/proc-stat.js';
import { slotRecord } from '../../store/slot-record.js';
import { createStateStore, readState } from '../../store/state-store.js';
import { tableEntries } from '../../supervisor/dns/slot-answers.js';
import { plainSpec } from '../support/plain-spec.js';
import { useTempStackRoot } from '../support/temp-stack-root.js';

// Real processes, so the records count as running: the old container is this process's
// parent (started earlier), the replacement this process.
const older = { pid: process.ppid, startTime: readStartTime(process.ppid)! };
const newer = { pid: process.pid, startTime: readStartTime(process.pid)! };

function record(name: string, over: Partial<ContainerRecord>): ContainerRecord {
  const spec = plainSpec('p', 'web', { name, ...(name.endsWith('.b') ? { displayName: 'p-web-1' } : {}) });
  return { spec, status: 'running', ...over };
}

useTempStackRoot('slot');

/** What each of the three picks for slot p-web-1, by host name. */
async function picks(records: ContainerRecord[]) {
  const store = createStateStore();
  for (const r of records) await store.saveContainer('p', r);
  const [cli] = await serviceContainers('p', 'web', { index: '1' });
  const [all] = await serviceContainers('p', 'web');
  const joined = await slotRecord(store.loadContainer, 'p', 'p-web-1');
  const dns = tableEntries(await readState.containers('p')).find((e) => !('answered' in e));
  return { exec: cli!.instance, execAll: all!.instance, join: joined!.spec.name, dns: dns!.spec.name };
}

const same = (name: string) => ({ exec: name, execAll: name, join: name, dns: name });

describe('the container serving a slot under recreation', () => {
  it.each([
    ['the old one is p-web-1.b, the replacement p-web-1', 'p-web-1.b', 'p-web-1'],
    ['the old one is p-web-1, the replacement p-web-1.b', 'p-web-1', 'p-web-1.b'],
  ])('both running, the replacement not ready: the old one (%s)', async (_, old, replacement) => {
    const records = [record(old, { ...older, readiness: { ready: true } }), record(replacement, newer)];
    expect(await picks(records)).toEqual(same(old));
  });

  it.each([
    ['the old one is p-web-1.b, the replacement p-web-1', 'p-web-1.b', 'p-web-1'],
    ['the old one is p-web-1, the replacement p-web-1.b', 'p-web-1', 'p-web-1.b'],
  ])('both running, the replacement ready: the replacement (%s)', async (_, old, replacement) => {
    const records = [
      record(old, { ...older, readiness: { ready: true } }),
      record(replacement, { ...newer, readiness: { ready: true } }),
    ];
    expect(await picks(records)).toEqual(same(replacement));
  });

  it('neither running: the slot’s own name', async () => {
    const gone = { pid: 2 ** 22 + 1, startTime: 1, status: 'exited' as const, exitCode: 0 };
    const records = [record('p-web-1.b', gone), record('p-web-1', gone)];
    expect(await picks(records)).toEqual(same('p-web-1'));
  });
});
