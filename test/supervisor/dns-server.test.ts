// The stack's DNS server on loopback: names of shared networks only, every replica in
// rotating order, AAAA empty, unknown names relayed to a fake upstream (also on loopback),
// per-container `dns:` upstreams, UDP and TCP. No packet leaves this host's loopback.

import dgram from 'node:dgram';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../../supervisor/dns/dns-server.js';
import { NameTable, type TableEntry } from '../../supervisor/dns/name-table.js';
import type { Endpoint } from '../../model/plan.js';
import { freeDnsPort, ips, rcode, tcpQuery, udpQuery } from '../support/dns-query.js';

const ep = (bridge: string, ip: string, aliases?: string[]): Endpoint => ({
  network: bridge,
  bridge,
  hostVeth: `stkv${bridge}`,
  ifname: 'eth0',
  ip,
  prefixLength: 24,
  gateway: '10.0.0.1',
  defaultRoute: true,
  ...(aliases ? { aliases } : {}),
});
const entry = (
  service: string,
  replica: number,
  endpoints: Endpoint[],
  extra: Partial<TableEntry['spec']> = {},
): TableEntry => ({
  spec: { project: 'p', service, name: `p-${service}-${replica}`, hostname: service, replica, endpoints, ...extra },
});

// web (2 replicas) on front; api on front + back; db on back; the querying "client" at 127.0.0.1 on front.
const entries: TableEntry[] = [
  entry('web', 1, [ep('front', '10.1.0.2')]),
  entry('web', 2, [ep('front', '10.1.0.3')]),
  entry('api', 1, [ep('front', '10.1.0.4'), ep('back', '10.2.0.4', ['service-api'])]),
  entry('db', 1, [ep('back', '10.2.0.5')]),
  entry('client', 1, [ep('front', '127.0.0.1')]),
  // On a network with IPv6 (enable_ipv6): both addresses.
  entry('six', 1, [{ ...ep('front', '10.1.0.6'), ip6: 'fd00:1::6', prefixLength6: 64, gateway6: 'fd00:1::1' }]),
];

describe('NameTable', () => {
  const t = new NameTable(entries);
  it('answers names on shared networks only, on the shared network', () => {
    expect(t.lookup('10.1.0.2', 'api')).toEqual(['10.1.0.4']);
    expect(t.lookup('10.2.0.5', 'api')).toEqual(['10.2.0.4']);
    expect(t.lookup('10.2.0.5', 'SERVICE-API.')).toEqual(['10.2.0.4']);
    expect(t.lookup('10.1.0.2', 'service-api')).toBeUndefined(); // alias on back only
    expect(t.lookup('10.1.0.2', 'db')).toBeUndefined();
    expect(t.lookup('10.2.0.5', 'web')).toBeUndefined();
    expect(t.lookup('10.9.9.9', 'web')).toBeUndefined(); // not a container
  });
  it('a service name is every replica; <service>-<n> and the container name one', () => {
    expect(t.lookup('10.2.0.4', 'web')).toEqual(['10.1.0.2', '10.1.0.3']);
    expect(t.lookup('10.2.0.4', 'web-2')).toEqual(['10.1.0.3']);
    expect(t.lookup('10.2.0.4', 'p-web-1')).toEqual(['10.1.0.2']);
  });
  it('a link alias is answered to the linking container alone, as the name it stands for', () => {
    const linked = new NameTable([
      ...entries.filter((e) => e.spec.service !== 'client'),
      entry('client', 1, [ep('front', '127.0.0.1')], { links: { database: 'api', front: 'p-web-2' } }),
    ]);
    expect(linked.lookup('127.0.0.1', 'database')).toEqual(['10.1.0.4']);
    expect(linked.lookup('127.0.0.1', 'Front.')).toEqual(['10.1.0.3']);
    expect(linked.lookup('10.1.0.2', 'database')).toBeUndefined();
    expect(linked.lookup('127.0.0.1', 'constructor')).toBeUndefined();
  });
});

let upstream: dgram.Socket;
let upstreamPort = 0;
const asked: string[] = [];
let server: DnsServer;
let port = 0;

beforeAll(async () => {
  // The fake upstream answers every name with 192.0.2.77 and records what it was asked.
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    const q = packet.decode(m);
    asked.push(q.questions![0]!.name);
    upstream.send(
      packet.encode({
        type: 'response',
        id: q.id,
        questions: q.questions,
        answers: [{ type: 'A', name: q.questions![0]!.name, data: '192.0.2.77' }],
      }),
      r.port,
      r.address,
    );
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  upstreamPort = upstream.address().port;
  port = await freeDnsPort();
  server = new DnsServer({
    load: async () => ({ entries, gateways: ['127.0.0.1'] }),
    upstreams: () => [{ ip: '127.0.0.1', port: upstreamPort }],
    log: () => {},
    port,
  });
  await server.reload();
});

afterAll(async () => {
  await server.close();
  upstream.close();
});

describe('DnsServer', () => {
  it('answers a service with all replicas, rotating the order per query', async () => {
    const first = await udpQuery(port, { name: 'web' });
    const second = await udpQuery(port, { name: 'web' });
    expect(first.id).toBe(4242);
    expect(first.flag_aa).toBe(true);
    expect(new Set(ips(first))).toEqual(new Set(['10.1.0.2', '10.1.0.3']));
    expect(ips(second)).toEqual([...ips(first)].reverse());
    expect(ips(await udpQuery(port, { name: 'web-1' }))).toEqual(['10.1.0.2']);
  });

  it('AAAA of a stack name is an empty answer, not a forward', async () => {
    const r = await udpQuery(port, { name: 'api', type: 'AAAA' });
    expect([rcode(r), ips(r)]).toEqual(['NOERROR', []]);
    expect(asked).not.toContain('api');
  });

  it('AAAA of a name on a network with IPv6 is its IPv6 address; A stays the IPv4 one', async () => {
    const six = await udpQuery(port, { name: 'six', type: 'AAAA' });
    expect([rcode(six), six.answers?.map((a) => [a.type, (a as { data?: unknown }).data])]).toEqual([
      'NOERROR',
      [['AAAA', 'fd00:1::6']],
    ]);
    expect(ips(await udpQuery(port, { name: 'six' }))).toEqual(['10.1.0.6']);
    expect(asked).not.toContain('six');
  });

  it('relays other names to the upstream, and answers over TCP too', async () => {
    expect(ips(await udpQuery(port, { name: 'db' }))).toEqual(['192.0.2.77']); // not on a shared network
    expect(asked).toEqual(['db']);
    expect(ips(await tcpQuery(port, { name: 'api', id: 7 }))).toEqual(['10.1.0.4']);
  });

  it('answers SERVFAIL when no upstream answers', async () => {
    const lonely = new DnsServer({ load: async () => ({ entries, gateways: [] }), upstreams: () => [], log: () => {} });
    await lonely.reload();
    const q = packet.encode({ type: 'query', id: 9, questions: [{ type: 'A', name: 'elsewhere.example' }] });
    expect(rcode(packet.decode((await lonely.answer(q, '127.0.0.1'))!))).toBe('SERVFAIL');
  });
});

describe('DnsServer when its records cannot be read', () => {
  it('logs the failure of a query that needed a reload, and goes on serving', async () => {
    let loads = 0;
    const logged: string[] = [];
    const own = await freeDnsPort();
    const failing = new DnsServer({
      load: async () => {
        if (++loads > 1) throw new Error('state records unreadable');
        return { entries, gateways: ['127.0.0.1'] };
      },
      upstreams: () => [],
      log: (l) => logged.push(l),
      port: own,
    });
    await failing.reload();
    await new Promise((r) => setTimeout(r, 120)); // past the reload's minimum interval
    await expect(udpQuery(own, { name: 'unknown' }, 500)).rejects.toThrow('no DNS answer');
    expect(logged.join('\n')).toContain('state records unreadable');
    expect(ips(await udpQuery(own, { name: 'web-1' }))).toEqual(['10.1.0.2']);
    await failing.close();
  });
});

describe('DnsServer with more replicas than a UDP answer holds', () => {
  it('answers over UDP within 512 bytes with TC set, and all of them over TCP', async () => {
    const many = Array.from({ length: 60 }, (_, i) => entry('big', i + 1, [ep('front', `10.1.1.${i + 2}`)]));
    const big = new DnsServer({
      load: async () => ({ entries: [...many, entry('client', 1, [ep('front', '127.0.0.1')])], gateways: [] }),
      upstreams: () => [],
      log: () => {},
    });
    await big.reload();
    const query = packet.encode({
      type: 'query',
      id: 5,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'big' }],
    });
    const overUdp = (await big.answer(query, '127.0.0.1', 'udp'))!;
    const udp = packet.decode(overUdp);
    expect(overUdp.length).toBeLessThanOrEqual(512);
    expect(udp.flag_tc).toBe(true);
    expect(ips(udp).length).toBeGreaterThan(0);
    expect(ips(udp).length).toBeLessThan(60);
    const tcp = packet.decode((await big.answer(query, '127.0.0.1', 'tcp'))!);
    expect(tcp.flag_tc).toBe(false);
    expect(ips(tcp)).toHaveLength(60);
    await big.close();
  });
});
