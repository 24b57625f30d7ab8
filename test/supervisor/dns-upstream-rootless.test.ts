// The stack's resolver's upstreams in rootless mode: the host's loopback resolvers
// (127.0.0.53, 127.0.0.1) are not reachable from the user's network namespace, so they are
// asked through the connector's DNS forwarder (10.0.2.3 for both pasta and slirp4netns);
// STACK_DNS_UPSTREAM, when set, is taken as written; rootful mode is unchanged.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultUpstreams } from '../../supervisor/dns/upstream.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-upstream-'));
const resolvConf = path.join(dir, 'resolv.conf');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('defaultUpstreams in rootless mode', () => {
  it("forwards the host's loopback resolvers through the connector, once, and keeps the others", () => {
    fs.writeFileSync(resolvConf, 'nameserver 127.0.0.53\nnameserver 127.0.0.1\nnameserver 192.0.2.53\n');
    expect(defaultUpstreams({}, resolvConf, true)).toStrictEqual([
      { ip: '10.0.2.3', port: 53 },
      { ip: '192.0.2.53', port: 53 },
    ]);
    expect(defaultUpstreams({}, resolvConf, false)).toStrictEqual([
      { ip: '127.0.0.53', port: 53 },
      { ip: '127.0.0.1', port: 53 },
      { ip: '192.0.2.53', port: 53 },
    ]);
    expect(defaultUpstreams({ STACK_DNS_UPSTREAM: '198.18.0.2' }, resolvConf, true)).toStrictEqual([
      { ip: '198.18.0.2', port: 53 },
    ]);
  });
});
