// The DNS table while a replacement runs beside the container it replaces
// (planner/plan/plan-instances.ts): the slot's names answer the old container until the new one
// is ready, but the new one is a container of the stack from its first query on. Before,
// the table knew only the answering container of each slot, so a starting replacement's
// lookups of its neighbours counted as from a stranger and went to the upstream servers
// (a 2 s stall each, and the stack's names leaked to the host's resolver).

import { describe, expect, it } from 'vitest';
import type { ContainerRecord } from '../../model/records.js';
import { readStartTime } from '../../store/proc-stat.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec, Endpoint } from '../../model/plan.js';
import { NameTable } from '../../supervisor/dns/name-table.js';
import { tableEntries } from '../../supervisor/dns/slot-answers.js';

const ep = (ip: string): Endpoint => ({
  network: 'default',
  bridge: 'stkbtest',
  hostVeth: `stkv${ip}`,
  ifname: 'eth0',
  ip,
  prefixLength: 24,
  gateway: '10.1.0.1',
  defaultRoute: true,
});

// Real processes, so the records count as running: the old containers are this process's
// parent (started earlier), the replacement is this process.
const older = { pid: process.ppid, startTime: readStartTime(process.ppid)! };
const newer = { pid: process.pid, startTime: readStartTime(process.pid)! };

function record(
  service: string,
  name: string,
  ip: string,
  over: Partial<ContainerRecord> = {},
  displayName?: string,
): ContainerRecord {
  const spec: ContainerSpec = {
    ...defaultRuntimeOptions(),
    project: 'p',
    service,
    name,
    hostname: service,
    image: { ref: 'r', id: 'i', layers: [] },
    argv: ['sh'],
    env: [],
    cwd: '/',
    hosts: [],
    endpoints: [ep(ip)],
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    hash: 'h',
    ...(displayName ? { displayName } : {}),
  };
  return { spec, status: 'running', ...older, ...over };
}

const db = record('db', 'p-db-1', '10.1.0.5', { readiness: { ready: true } });
const oldWeb = record('web', 'p-web-1', '10.1.0.2', { readiness: { ready: true } });

describe('the DNS table during a replacement', () => {
  it('a replacement still starting resolves its neighbours, while its slot still answers the old container', () => {
    const starting = record('web', 'p-web-1.b', '10.1.0.3', { status: 'starting', ...newer }, 'p-web-1');
    const table = new NameTable(tableEntries([db, oldWeb, starting]));
    expect(table.lookup('10.1.0.3', 'db')).toEqual(['10.1.0.5']);
    expect(table.lookup('10.1.0.3', 'web')).toEqual(['10.1.0.2']);
    expect(table.lookup('10.1.0.5', 'web')).toEqual(['10.1.0.2']);
    expect(table.lookup('10.1.0.5', 'p-web-1')).toEqual(['10.1.0.2']);
  });

  it('a replacement that runs but does not accept connections yet is not answered', () => {
    const listening = record('web', 'p-web-1.b', '10.1.0.3', { ...newer }, 'p-web-1');
    expect(new NameTable(tableEntries([db, oldWeb, listening])).lookup('10.1.0.5', 'web')).toEqual(['10.1.0.2']);
  });

  it('once the replacement is ready the slot answers it, and the old one, draining, still resolves names', () => {
    const ready = record('web', 'p-web-1.b', '10.1.0.3', { ...newer, readiness: { ready: true } }, 'p-web-1');
    const table = new NameTable(tableEntries([db, oldWeb, ready]));
    expect(table.lookup('10.1.0.5', 'web')).toEqual(['10.1.0.3']);
    expect(table.lookup('10.1.0.2', 'db')).toEqual(['10.1.0.5']);
  });
});
