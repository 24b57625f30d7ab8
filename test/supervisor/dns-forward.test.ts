// The forwarder over TCP, against fake upstreams on 127.0.0.1: a TCP query goes upstream
// over TCP (an answer far over 512 bytes arrives whole, even in pieces); a UDP query whose
// answer comes back truncated gets that truncated answer, so the client retries over TCP;
// an upstream that hangs up, refuses or stays silent is a typed error, and through the
// DNS server a SERVFAIL within the timeout. No packet leaves this host's loopback.

import * as packet from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsServer } from '../../supervisor/dns/dns-server.js';
import { forward } from '../../supervisor/dns/forward.js';
import { NoUpstreamAnswerError } from '../../supervisor/dns/upstream-error.js';
import type { Upstream } from '../../supervisor/dns/upstream.js';
import { freeDnsPort, ips, rcode, tcpQuery, udpQuery } from '../support/dns-query.js';
import {
  refusingPort,
  startFakeUpstream,
  type FakeUpstream,
  type FakeUpstreamOptions,
} from '../support/fake-dns-upstream.js';

const TIMEOUT_MS = 300;

/** 60 A records and 4 TXT records of 200 bytes: some 1.8 kB, far over UDP's 512. */
const bigAnswer = (q: packet.Question): packet.Answer[] => [
  ...Array.from({ length: 60 }, (_, i): packet.Answer => ({
    type: 'A',
    name: q.name,
    ttl: 5,
    data: `192.0.2.${i + 1}`,
  })),
  ...Array.from({ length: 4 }, (_, i): packet.Answer => ({
    type: 'TXT',
    name: q.name,
    ttl: 5,
    data: `${i}`.padEnd(200, 'x'),
  })),
];

const query = (name: string, id = 1234) =>
  packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name }] });

const started: FakeUpstream[] = [];
const servers: DnsServer[] = [];
async function upstream(opts: FakeUpstreamOptions): Promise<FakeUpstream> {
  const u = await startFakeUpstream(opts);
  started.push(u);
  return u;
}
afterEach(async () => {
  await Promise.all([...started.splice(0).map((u) => u.close()), ...servers.splice(0).map((s) => s.close())]);
});

/** The error forward() fails with. */
async function failure(q: Buffer, ups: Upstream[]): Promise<NoUpstreamAnswerError> {
  const e: unknown = await forward(q, ups, 'tcp', TIMEOUT_MS).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NoUpstreamAnswerError);
  return e as NoUpstreamAnswerError;
}

describe('forward over TCP', () => {
  it('carries an answer over 512 bytes whole, also when it arrives in pieces', async () => {
    for (const split of [false, true]) {
      const u = await upstream({ tcp: 'answer', answers: bigAnswer, split });
      const reply = await forward(query('big.example'), [u], 'tcp', TIMEOUT_MS);
      expect(reply.length).toBeGreaterThan(512);
      const decoded = packet.decode(reply);
      expect(decoded.id).toBe(1234);
      expect(decoded.flag_tc).toBe(false);
      expect(decoded.answers).toHaveLength(64);
      expect(u.asked).toEqual(['tcp big.example']);
    }
  });

  it('an upstream that hangs up is a "closed" failure', async () => {
    const u = await upstream({ tcp: 'close' });
    const e = await failure(query('x.example'), [u]);
    expect(e.failures.map((f) => [f.reason, f.transport, f.upstream.port])).toEqual([['closed', 'tcp', u.port]]);
  });

  it('an upstream that refuses TCP is a "refused" failure', async () => {
    const e = await failure(query('x.example'), [{ ip: '127.0.0.1', port: await refusingPort() }]);
    expect(e.failures.map((f) => f.reason)).toEqual(['refused']);
  });

  it('an upstream that never answers fails at the timeout, not later', async () => {
    const u = await upstream({ tcp: 'silent' });
    const t0 = Date.now();
    const e = await failure(query('x.example'), [u]);
    const took = Date.now() - t0;
    expect(e.failures.map((f) => f.reason)).toEqual(['timeout']);
    expect(u.asked).toEqual(['tcp x.example']);
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(took).toBeLessThan(TIMEOUT_MS + 500);
  });

  it('goes on to the next upstream when one fails', async () => {
    const silent = await upstream({ tcp: 'silent' });
    const closing = await upstream({ tcp: 'close' });
    const good = await upstream({ tcp: 'answer', answers: bigAnswer });
    const reply = await forward(
      query('big.example'),
      [{ ip: '127.0.0.1', port: await refusingPort() }, closing, silent, good],
      'tcp',
      TIMEOUT_MS,
    );
    expect(packet.decode(reply).answers).toHaveLength(64);
  });
});

describe('forward over UDP', () => {
  it('relays a truncated answer as it is, and asks nothing over TCP', async () => {
    const u = await upstream({ tcp: 'answer', udp: 'truncate', answers: bigAnswer });
    const decoded = packet.decode(await forward(query('big.example'), [u], 'udp', TIMEOUT_MS));
    expect([decoded.id, decoded.flag_tc, decoded.answers]).toEqual([1234, true, []]);
    expect(u.asked).toEqual(['udp big.example']);
  });
});

describe('DnsServer with an upstream over TCP', () => {
  async function serve(u: Upstream): Promise<number> {
    const port = await freeDnsPort();
    const server = new DnsServer({
      load: async () => ({ entries: [], gateways: ['127.0.0.1'] }),
      upstreams: () => [u],
      log: () => {},
      port,
      upstreamTimeoutMs: TIMEOUT_MS,
    });
    servers.push(server);
    await server.reload();
    return port;
  }

  it('a client told to retry over TCP by a truncated UDP answer gets the whole answer', async () => {
    const u = await upstream({ tcp: 'answer', udp: 'truncate', answers: bigAnswer });
    const port = await serve(u);
    const overUdp = await udpQuery(port, { name: 'big.example' });
    expect([overUdp.flag_tc, ips(overUdp)]).toEqual([true, []]);
    const overTcp = await tcpQuery(port, { name: 'big.example', id: 99 });
    expect([overTcp.id, overTcp.flag_tc, rcode(overTcp)]).toEqual([99, false, 'NOERROR']);
    expect(ips(overTcp)).toContain('192.0.2.60');
    expect(overTcp.answers).toHaveLength(64);
    expect(u.asked).toEqual(['udp big.example', 'tcp big.example']);
  });

  it('answers SERVFAIL over TCP when the upstream hangs up, refuses or stays silent', async () => {
    const upstreams = [
      await upstream({ tcp: 'close' }),
      { ip: '127.0.0.1', port: await refusingPort() },
      await upstream({ tcp: 'silent' }),
    ];
    for (const u of upstreams) {
      const port = await serve(u);
      const t0 = Date.now();
      const r = await tcpQuery(port, { name: 'x.example', id: 5 });
      expect([r.id, rcode(r)]).toEqual([5, 'SERVFAIL']);
      expect(Date.now() - t0).toBeLessThan(TIMEOUT_MS + 500);
    }
  });
});
