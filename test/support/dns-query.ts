// A minimal DNS client for tests of the stack's DNS server: one query over UDP or TCP to a
// server on 127.0.0.1, the decoded answer back. Only loopback is ever asked.

import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';

export interface Query {
  name: string;
  type?: packet.RecordType;
  id?: number;
}

const asPacket = (q: Query): packet.Packet => ({
  type: 'query',
  id: q.id ?? 4242,
  flags: packet.RECURSION_DESIRED,
  questions: [{ type: q.type ?? 'A', name: q.name }],
});

export function udpQuery(port: number, q: Query, timeoutMs = 3000): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('no DNS answer over UDP'));
    }, timeoutMs);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(packet.decode(m));
    });
    sock.bind(0, '127.0.0.1', () => sock.send(packet.encode(asPacket(q)), port, '127.0.0.1'));
  });
}

export function tcpQuery(port: number, q: Query, timeoutMs = 3000): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(port, '127.0.0.1', () => conn.write(packet.streamEncode(asPacket(q))));
    conn.setTimeout(timeoutMs, () => {
      conn.destroy();
      reject(new Error('no DNS answer over TCP'));
    });
    let buf = Buffer.alloc(0);
    conn
      .on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          conn.end();
          resolve(packet.streamDecode(buf) as packet.DecodedPacket);
        }
      })
      .on('error', reject);
  });
}

/** dns-packet decodes the response code, its types do not declare it. */
export const rcode = (p: packet.DecodedPacket) => (p as packet.DecodedPacket & { rcode: string }).rcode;
export const ips = (p: packet.Packet) => (p.answers ?? []).map((a) => (a as { data: string }).data);

/**
 * A port free for both UDP and TCP on 127.0.0.1 right now (the DNS server binds both on it):
 * a port the kernel hands out free for UDP may be in use for TCP by another test file.
 */
export async function freeDnsPort(): Promise<number> {
  for (;;) {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const { port } = s.address();
    const tcp = net.createServer();
    const free = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(port, '127.0.0.1', () => r(true));
    });
    await new Promise<void>((r) => (free ? tcp.close(() => r()) : r()));
    await new Promise<void>((r) => s.close(() => r()));
    if (free) return port;
  }
}
