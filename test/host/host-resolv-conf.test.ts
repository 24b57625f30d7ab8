// The resolv.conf of a container without the stack's resolver (executor/host/linux/
// host-resolv-conf.ts): the host's file as it is without a network of its own; on one,
// docker's rule (no loopback nameservers, systemd-resolved's upstream file when only
// loopback ones are left), or STACK_DNS_UPSTREAM's servers on port 53.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostResolvConf } from '../../executor/host/linux/host-resolv-conf.js';
import { UnreachableUpstreamsError } from '../../model/upstreams.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-resolv-'));
const files = { resolvConf: path.join(dir, 'resolv.conf'), systemd: path.join(dir, 'systemd.conf') };
const hostFile = (text: string) => fs.writeFileSync(files.resolvConf, text);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hostResolvConf', () => {
  it("without a network of its own: the host's file as it is", async () => {
    hostFile('nameserver 127.0.0.53\nsearch lan\n');
    expect(await hostResolvConf(false, {}, files)).toBe('nameserver 127.0.0.53\nsearch lan\n');
  });

  it('on a network: the loopback nameservers are left out, the rest kept', async () => {
    hostFile('nameserver 127.0.0.1\nnameserver 192.0.2.53\nsearch lan\noptions ndots:2\n');
    expect(await hostResolvConf(true, {}, files)).toBe('nameserver 192.0.2.53\nsearch lan\noptions ndots:2\n');
  });

  it("on a network, with only systemd-resolved's stub: its file of upstream servers", async () => {
    hostFile('nameserver 127.0.0.53\nsearch lan\n');
    fs.writeFileSync(files.systemd, 'nameserver 192.0.2.1\nnameserver 127.0.0.1\nsearch lan\n');
    expect(await hostResolvConf(true, {}, files)).toBe('nameserver 192.0.2.1\nsearch lan\n');
  });

  it("rootless, on a network: the host's loopback nameservers become the connector's DNS forwarder, once", async () => {
    hostFile('nameserver 127.0.0.53\nnameserver 127.0.0.1\nnameserver 192.0.2.53\nsearch lan\n');
    expect(await hostResolvConf(true, {}, files, true)).toBe(
      'nameserver 10.0.2.3\nnameserver 192.0.2.53\nsearch lan\n',
    );
    expect(await hostResolvConf(false, {}, files, true)).toContain('nameserver 127.0.0.53');
  });

  it("STACK_DNS_UPSTREAM's servers on port 53, what the stack's resolver would ask", async () => {
    hostFile('nameserver 192.0.2.53\n');
    const env = { STACK_DNS_UPSTREAM: '198.18.0.2, 198.18.0.3:5353 198.18.0.4' };
    expect(await hostResolvConf(true, env, files)).toBe('nameserver 198.18.0.2\nnameserver 198.18.0.4\n');
  });

  it('STACK_DNS_UPSTREAM with no server a container can reach (other ports, loopback): refused, naming the fix', async () => {
    // Before, such a container got an empty resolv.conf and no word of why (found in review).
    hostFile('nameserver 192.0.2.53\n');
    for (const value of ['198.18.0.3:5353', '127.0.0.1', '127.0.0.1:5353, 198.18.0.3:5300']) {
      const attempt = hostResolvConf(true, { STACK_DNS_UPSTREAM: value }, files);
      await expect(attempt).rejects.toBeInstanceOf(UnreachableUpstreamsError);
      await expect(attempt).rejects.toThrow(
        `STACK_DNS_UPSTREAM=${value}: a container on a network without the stack's resolver (network_mode: bridge, a build's RUN step) gets its servers in resolv.conf, which takes no port and cannot reach the host's loopback: give one server as IP or IP:53 that is not 127.x, or unset STACK_DNS_UPSTREAM to give it the host's resolvers (docker's rule)`,
      );
    }
    // Set empty, it means no upstream at all: an empty file, as before.
    expect(await hostResolvConf(true, { STACK_DNS_UPSTREAM: '' }, files)).toBe('');
  });
});
