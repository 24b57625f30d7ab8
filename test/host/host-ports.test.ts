// The host port scan on the real kernel: a TCP listener and a bound UDP socket of this
// test process are found with its pid and command; loopback only, closed in teardown.

import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostPorts,
  ipv4FromProc,
  ipv6FromProc,
  listHostSockets,
  socketOwners,
} from '../../executor/host/linux/host-ports.js';
import { observeStack } from '../../executor/host/linux/observe.js';

let server: net.Server;
let udp: dgram.Socket;
let tcpPort: number;
let udpPort: number;
const command = fs.readFileSync('/proc/self/comm', 'utf8').trim();

beforeAll(async () => {
  server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  tcpPort = (server.address() as net.AddressInfo).port;
  udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve());
  });
  udpPort = udp.address().port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => udp.close(() => resolve()));
});

describe('host ports', () => {
  it('decodes /proc/net addresses', () => {
    expect(ipv4FromProc('0100007F')).toBe('127.0.0.1');
    expect(ipv4FromProc('00000000')).toBe('0.0.0.0');
    expect(ipv6FromProc('00000000000000000000000000000000')).toBe('::');
    expect(ipv6FromProc('00000000000000000000000001000000')).toBe('::1');
    expect(ipv6FromProc('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(ipv6FromProc('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });

  it('finds a TCP listener on 127.0.0.1 with this process as its owner', async () => {
    expect(command).toBe('node');
    const ports = await hostPorts({ only: [{ protocol: 'tcp', port: tcpPort }] });
    expect(ports).toContainEqual({
      protocol: 'tcp',
      ip: '127.0.0.1',
      port: tcpPort,
      pid: process.pid,
      command: 'node',
    });
  });

  it('finds a bound UDP socket likewise, and not as TCP', async () => {
    const ports = await hostPorts({ only: [{ protocol: 'udp', port: udpPort }] });
    expect(ports).toContainEqual({
      protocol: 'udp',
      ip: '127.0.0.1',
      port: udpPort,
      pid: process.pid,
      command: 'node',
    });
    expect(ports.some((p) => p.protocol === 'tcp' && p.port === udpPort)).toBe(false);
  });

  it('looks up owners only for the ports asked for', async () => {
    const ports = await hostPorts({ only: [{ protocol: 'udp', port: udpPort }] });
    expect(ports.find((p) => p.protocol === 'tcp' && p.port === tcpPort)).toEqual({
      protocol: 'tcp',
      ip: '127.0.0.1',
      port: tcpPort,
    });
    const all = await hostPorts();
    expect(all.find((p) => p.protocol === 'tcp' && p.port === tcpPort)?.pid).toBe(process.pid);
  });

  it('sock_diag and the /proc fallback see the same TCP listeners', async () => {
    const v6 = net.createServer();
    await new Promise<void>((resolve) => v6.listen(0, '::1', () => resolve()));
    try {
      const tcp = (list: Awaited<ReturnType<typeof listHostSockets>>) =>
        list.filter((s) => s.protocol === 'tcp').sort((a, b) => a.inode - b.inode);
      const byNetlink = tcp(await listHostSockets());
      expect(byNetlink).toContainEqual(
        expect.objectContaining({ ip: '::1', port: (v6.address() as net.AddressInfo).port }),
      );
      expect(tcp(await listHostSockets('/proc', { netlink: false }))).toEqual(byNetlink);
    } finally {
      await new Promise<void>((resolve) => v6.close(() => resolve()));
    }
  });

  it('a connected socket is not a listener', async () => {
    const client = net.connect(tcpPort, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    try {
      const local = client.localPort!;
      expect((await listHostSockets()).some((s) => s.protocol === 'tcp' && s.port === local)).toBe(false);
    } finally {
      client.destroy();
    }
  });

  it('observe fills Observed.hostPorts, with owners for the published ports', async () => {
    const observed = await observeStack('thostports', { publishedPorts: [{ protocol: 'tcp', port: tcpPort }] });
    expect(observed.hostPorts).toContainEqual({
      protocol: 'tcp',
      ip: '127.0.0.1',
      port: tcpPort,
      pid: process.pid,
      command: 'node',
    });
  });

  it('a full owner pass finds no owner for an inode no socket has', () => {
    // How long the scan takes is measured by bench/host-ports.mjs, not asserted here.
    expect(socketOwners([2 ** 31]).size).toBe(0);
  });
});
