// DNS during the drain of a replaced container: the answers switch to the replacement when
// the drain starts (with the published ports), not when the old container is finally
// stopped, and the old container keeps serving until the answers clients may have cached
// before the switch have expired. Before, the table was reloaded only before the stop, so
// for the whole drain (2 s) clients were sent to the container on its way out, and they
// could keep its address for the 5 s TTL, longer than the drain.

import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOperation } from '../../executor/apply-operation.js';
import { FakeHost } from '../../executor/fake-host.js';
import type { ContainerRecord } from '../../model/records.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import { DRAIN_MS } from '../../planner/plan/plan-containers.js';
import type { ContainerSpec } from '../../model/plan.js';
import { systemClock } from '../../supervisor/clock.js';
import { ANSWER_TTL_SECONDS, DnsServer } from '../../supervisor/dns/dns-server.js';
import type { TableEntry } from '../../supervisor/dns/name-table.js';
import { EventBus } from '../../supervisor/events.js';
import { Lifecycle } from '../../supervisor/lifecycle.js';
import { freeDnsPort, ips, udpQuery } from '../support/dns-query.js';

const spec = (name: string, ip: string, displayName?: string): ContainerSpec => ({
  ...defaultRuntimeOptions(),
  project: 'p',
  service: name.split('-')[1]!,
  name,
  hostname: name.split('-')[1]!,
  image: { ref: 'r', id: 'i', layers: [] },
  argv: ['sh'],
  env: [],
  cwd: '/',
  hosts: [],
  endpoints: [
    {
      network: 'default',
      bridge: 'stkbtest',
      hostVeth: `stkv${name}`,
      ifname: 'eth0',
      ip,
      prefixLength: 8,
      gateway: '127.0.0.1',
      defaultRoute: true,
    },
  ],
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 10,
  hash: 'h',
  ...(displayName ? { displayName } : {}),
});

describe('the drain of a replaced container', () => {
  it('switches the DNS answers away from it before it drains, then waits out what clients cached', async () => {
    const host = new FakeHost();
    const record: ContainerRecord = { spec: spec('p-web-1', '10.1.0.2'), status: 'running', pid: 1, startTime: 1 };
    await host.state.saveContainer('p', record);
    const lifecycle = new Lifecycle({
      project: 'p',
      host,
      clock: systemClock,
      events: new EventBus(),
      log: () => {},
      beforeDrain: async (addresses) => void host.calls.push(`dns switched away from ${addresses.join(' ')}`),
    });
    host.calls.length = 0;
    await applyOperation(
      {
        kind: 'container.remove',
        id: 'remove',
        cause: 'replace',
        after: [],
        project: 'p',
        name: 'p-web-1',
        stopSignal: 'SIGTERM',
        stopGraceSeconds: 10,
        hostVeths: [],
        drainMs: DRAIN_MS,
      },
      host,
      { hooks: lifecycle.hooks },
    );
    expect(host.calls.slice(0, 2)).toEqual(['dns switched away from 10.1.0.2', `containers.drain p-web-1 ${DRAIN_MS}`]);
  });

  it('the answers live no longer than the drain allows', () => {
    expect(ANSWER_TTL_SECONDS * 1000).toBeLessThanOrEqual(DRAIN_MS);
  });
});

describe('DnsServer.forgotten', () => {
  let server: DnsServer;
  let port = 0;
  let entries: TableEntry[] = [{ spec: spec('p-web-1', '10.1.0.2') }, { spec: spec('p-client-1', '127.0.0.1') }];

  beforeAll(async () => {
    port = await freeDnsPort();
    server = new DnsServer({
      load: async () => ({ entries, gateways: ['127.0.0.1'] }),
      upstreams: () => [],
      log: () => {},
      port,
    });
    await server.reload();
  });
  afterAll(() => server.close());

  it('resolves at once for an address no answer named', async () => {
    const started = Date.now();
    await server.forgotten(['10.9.9.9']);
    expect(Date.now() - started).toBeLessThan(ANSWER_TTL_SECONDS * 1000);
  });

  it('after the switch answers the replacement, and resolves once the last answer naming the old one has expired', async () => {
    const before = await udpQuery(port, { name: 'web' });
    expect(ips(before)).toEqual(['10.1.0.2']);
    expect((before.answers![0] as packet.StringAnswer).ttl).toBe(ANSWER_TTL_SECONDS);
    const answeredAt = Date.now();
    entries = [
      { spec: spec('p-web-1', '10.1.0.2'), answered: false },
      { spec: spec('p-web-1.b', '10.1.0.3', 'p-web-1') },
      { spec: spec('p-client-1', '127.0.0.1') },
    ];
    await server.reload();
    expect(ips(await udpQuery(port, { name: 'web' }))).toEqual(['10.1.0.3']);
    await server.forgotten(['10.1.0.2']);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(ANSWER_TTL_SECONDS * 1000);
  });
});
