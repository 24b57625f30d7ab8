// Fake upstream DNS servers on 127.0.0.1 (ephemeral ports) for the forwarder's tests: one
// that answers over TCP (optionally also over UDP on the same port, where it may truncate),
// one that hangs up on every connection, one that reads and never answers. Every query
// they get is recorded with the transport it came by. Nothing leaves loopback.

import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import type { Transport, Upstream } from '../../supervisor/dns/upstream.js';

export type TcpBehaviour = 'answer' | 'close' | 'silent';

export interface FakeUpstream extends Upstream {
  /** `<transport> <name>` per query received. */
  asked: string[];
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  tcp: TcpBehaviour;
  /** The answer records for a question (answered over TCP, and over UDP when `udp` is set). */
  answers?: (q: packet.Question) => packet.Answer[];
  /** Over UDP: answer with the TC bit and no records (what a server does with a too big answer). */
  udp?: 'truncate';
  /** Over TCP: send the reply in two pieces, the length prefix cut in half, to test reassembly. */
  split?: boolean;
}

function response(query: Buffer, answers: FakeUpstreamOptions['answers'], truncated: boolean): packet.Packet {
  const q = packet.decode(query);
  const records = truncated ? [] : (answers?.(q.questions![0]!) ?? []);
  return {
    type: 'response',
    id: q.id,
    flags: packet.RECURSION_AVAILABLE | (truncated ? packet.TRUNCATED_RESPONSE : 0),
    questions: q.questions,
    answers: records,
  };
}

export async function startFakeUpstream(opts: FakeUpstreamOptions): Promise<FakeUpstream> {
  const asked: string[] = [];
  const note = (transport: Transport, query: Buffer) =>
    asked.push(`${transport} ${packet.decode(query).questions?.[0]?.name}`);
  const conns = new Set<net.Socket>();
  const tcp = net.createServer((conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn)).on('error', () => {});
    if (opts.tcp === 'close') return void conn.destroy();
    let buf = Buffer.alloc(0);
    conn.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const query = buf.subarray(2, 2 + buf.readUInt16BE(0));
      note('tcp', query);
      if (opts.tcp === 'silent') return;
      const framed = packet.streamEncode(response(query, opts.answers, false));
      if (!opts.split) return void conn.write(framed);
      conn.write(framed.subarray(0, 1));
      setTimeout(() => conn.write(framed.subarray(1)), 20);
    });
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = opts.udp ? dgram.createSocket('udp4') : undefined;
  if (udp) {
    udp.on('message', (m, r) => {
      note('udp', m);
      udp.send(packet.encode(response(m, opts.answers, true)), r.port, r.address);
    });
    await new Promise<void>((resolve, reject) => udp.once('error', reject).bind(port, '127.0.0.1', () => resolve()));
  }
  return {
    ip: '127.0.0.1',
    port,
    asked,
    async close() {
      conns.forEach((c) => c.destroy());
      await Promise.all([
        new Promise<void>((r) => tcp.close(() => r())),
        udp && new Promise<void>((r) => udp.close(() => r())),
      ]);
    },
  };
}

/** A 127.0.0.1 port nothing listens on over TCP right now: connecting is refused. */
export async function refusingPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
