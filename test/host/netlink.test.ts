// Netlink framing and the netns socket window. Privileged parts only read (RTM_GETLINK of
// lo) in this process's netns and in a net namespace this test makes.

import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  attr,
  findAttr,
  nestAttr,
  NETLINK_ROUTE,
  NetlinkError,
  NetlinkSocket,
  parseAttrs,
  strAttr,
  u32Attr,
} from '../../executor/host/linux/netlink.js';
import { NetlinkWriter } from '../../executor/host/linux/netlink-writer.js';
import { netlinkSocketIn, openNetnsOf } from '../../executor/host/linux/netns-socket.js';
import { getLink } from '../../executor/host/linux/rtnetlink.js';
import { SyscallError } from '../../executor/host/linux/syscall-error.js';

const child = spawn('unshare', ['--net', 'sleep', '30'], { stdio: 'ignore' });
afterAll(() => {
  child.kill('SIGKILL');
});

describe('netlink framing', () => {
  it('pads attributes to 4 bytes and parses them back, nested ones included', () => {
    const a = strAttr(3, 'eth0');
    expect(a.length).toBe(12); // 4 header + 5 bytes "eth0\0", padded
    expect(a.readUInt16LE(0)).toBe(9);
    const nest = nestAttr(18, strAttr(1, 'veth'), u32Attr(2, 7));
    const outer = parseAttrs(Buffer.concat([a, nest, attr(0x8000 | 5, Buffer.from([1]))]));
    expect(outer.get(3)!.toString()).toBe('eth0\0');
    expect(outer.get(5)).toEqual(Buffer.from([1])); // flag bits dropped from the type
    const inner = parseAttrs(outer.get(18)!);
    expect(inner.get(1)!.toString()).toBe('veth\0');
    expect(inner.get(2)!.readUInt32LE()).toBe(7);
  });

  it('finds one attribute as parseAttrs gives it: the last of repeats, flag bits dropped, absent as undefined', () => {
    const buf = Buffer.concat([
      Buffer.alloc(16),
      strAttr(3, 'a'),
      attr(0x8000 | 5, Buffer.from([1])),
      strAttr(3, 'eth0'),
    ]);
    for (const type of [3, 5, 7]) expect(findAttr(buf, 16, type)).toEqual(parseAttrs(buf, 16).get(type));
    expect(findAttr(buf, 16, 3)!.toString()).toBe('eth0\0');
    expect(findAttr(buf, 16, 7)).toBeUndefined();
  });

  it('writes in place what attr and strAttr make: nests flagged NLA_F_NESTED, 32-bit values big-endian, padding zeroed', () => {
    const be32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(n);
      return b;
    };
    const w = new NetlinkWriter();
    w.raw(Buffer.from([2, 0, 0, 0]));
    w.str(1, 'stk_resolver');
    w.be32(2, -300);
    w.nest(4, () => {
      w.be32(1, 0xfffffffe);
      w.bytes(2, Buffer.from([0, 53]));
      w.nest(3, () => undefined);
    });
    expect(w.take()).toEqual(
      Buffer.concat([
        Buffer.from([2, 0, 0, 0]),
        strAttr(1, 'stk_resolver'),
        attr(2, be32(-300)),
        attr(
          0x8000 | 4,
          Buffer.concat([
            attr(1, Buffer.from([0xff, 0xff, 0xff, 0xfe])),
            attr(2, Buffer.from([0, 53])),
            attr(0x8000 | 3, Buffer.alloc(0)),
          ]),
        ),
      ]),
    );
    // take() starts over, on the same (now dirty) buffer: padding must come out zero again.
    w.str(1, 'a');
    expect(w.take()).toEqual(strAttr(1, 'a'));
    // It grows past its first buffer.
    for (let i = 0; i < 1000; i++) w.be32(i, i);
    const big = w.take();
    expect(big.length).toBe(8000);
    expect(parseAttrs(big).get(999)!.readUInt32BE()).toBe(999);
  });

  it('names the request, the errno and its text in errors', () => {
    const e = new NetlinkError('RTM_NEWLINK veth stkx', 17, 'detail text');
    expect(e).toBeInstanceOf(SyscallError);
    expect(e.code).toBe('EEXIST');
    expect(e.message).toBe('RTM_NEWLINK veth stkx failed: EEXIST (File exists: detail text)');
  });
});

describe('netlink sockets', () => {
  it('reads replies until the ACK and turns an error ACK into NetlinkError', () => {
    const nl = NetlinkSocket.open(NETLINK_ROUTE);
    try {
      expect(getLink(nl, 'lo')).toMatchObject({ index: 1, up: true });
      const err = (() => {
        try {
          getLink(nl, 'stk-none');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).code).toBe('ENODEV');
      // The socket stays usable after an error.
      expect(getLink(nl, 'lo').index).toBe(1);
    } finally {
      nl.close();
    }
  });

  it('opens a socket in another netns and leaves the thread in its own', async () => {
    const own = readlinkSync('/proc/thread-self/ns/net');
    let ns = own;
    for (let i = 0; i < 200 && ns === own; i++) {
      await new Promise((r) => setTimeout(r, 5));
      ns = readlinkSync(`/proc/${child.pid}/ns/net`);
    }
    const fd = openNetnsOf(child.pid!);
    const inside = netlinkSocketIn(fd, NETLINK_ROUTE);
    try {
      expect(readlinkSync('/proc/thread-self/ns/net')).toBe(own);
      // A fresh netns: lo exists and is down, and none of the host's links are visible.
      expect(getLink(inside, 'lo').up).toBe(false);
      const host = [...fs.readdirSync('/sys/class/net')].find((l) => l !== 'lo');
      if (host) expect(() => getLink(inside, host)).toThrow(/ENODEV/);
    } finally {
      inside.close();
      fs.closeSync(fd);
    }
  });
});
