// Privileged: the stack's NAT table through libnftables on the real kernel. Only tables named
// `stk_l<rand>…` that this file makes; no traffic at all (bridges in the rules need not exist,
// `oifname` matches by name). Every table is removed in afterAll, which checks for leaks.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindLibnftables, NftError, nftRun } from '../../executor/host/linux/libnftables.js';
import { createLinuxNat } from '../../executor/host/linux/nat.js';
import { renderNatRuleset } from '../../executor/host/linux/nat-ruleset.js';
import { natTableExists } from '../../executor/host/linux/observe-network.js';
import type { NatSpec } from '../../model/plan.js';

const id = randomBytes(3).toString('hex');
const table = `stk_l${id}`;
const big = `stk_l${id}big`;
const absent = `stk_l${id}absent`;
const nat = createLinuxNat();
let ipForward = '';

/** A realistic stack: 2 networks, 10 published ports. */
function spec(t: string, ports = 10, firstPort = 20000): NatSpec {
  return {
    project: `p${id}`,
    table: t,
    hash: 'h',
    networks: [
      { bridge: `stkl${id}a`, subnet: '10.214.1.0/24' },
      { bridge: `stkl${id}b`, subnet: '10.214.2.0/24' },
    ],
    ports: Array.from({ length: ports }, (_, i) => ({
      service: `s${i}`,
      container: `p${id}-s${i}-1`,
      protocol: i % 3 === 0 ? ('udp' as const) : ('tcp' as const),
      ...(i % 2 ? { hostIp: '127.0.0.1' } : {}),
      hostPort: firstPort + i,
      containerIp: `10.214.${1 + (i % 2)}.${2 + (i % 250)}`,
      containerPort: 80 + i,
    })),
  };
}

const listTable = (t: string) => nftRun(`list table ip ${t}`);

beforeAll(async () => {
  ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
});

afterAll(async () => {
  for (const t of [table, big]) await nat.remove(t);
  if (ipForward) await writeFile('/proc/sys/net/ipv4/ip_forward', ipForward);
  for (const t of [table, big, absent]) expect(await natTableExists(t)).toBe(false);
});

describe('libnftables', () => {
  it('applies, observes and removes the table; removing an absent table is a no-op', async () => {
    await nat.apply(spec(table));
    expect(await natTableExists(table)).toBe(true);
    const text = await listTable(table);
    expect(text).toContain(`comment "p${id}/s9"`);
    expect(text).toContain('dnat to 10.214.2.11:89');
    expect(await natTableExists(absent)).toBe(false);

    // Re-apply replaces the whole table: the old rules are gone.
    await nat.apply(spec(table, 1, 21000));
    const text2 = await listTable(table);
    expect(text2).toContain('dport 21000 ');
    expect(text2).not.toContain('dport 20000 ');

    await nat.remove(table);
    expect(await natTableExists(table)).toBe(false);
    await nat.remove(table);
    await nat.remove(absent);
    expect(await natTableExists(absent)).toBe(false);
  });

  it('a failing batch leaves the previous table intact (userspace and kernel errors)', async () => {
    await nat.apply(spec(table));
    const before = await listTable(table);
    const replacement = renderNatRuleset(spec(table, 2, 22000));

    // Bypasses validation: a rule the parser rejects after the delete of the old table.
    const syntax = replacement.replace('masquerade', 'masquerade bogus_word');
    const e1 = await nftRun(syntax).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(NftError);
    expect((e1 as NftError).command).toBe(syntax);
    expect((e1 as NftError).message).toMatch(/syntax error/);
    expect(await listTable(table)).toBe(before);

    // Parses fine, but the kernel rejects the last command of the transaction (ENOENT).
    const kernel = `${replacement}delete table ip ${absent}\n`;
    const e2 = await nftRun(kernel).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(NftError);
    expect((e2 as NftError).message).toMatch(/No such file or directory/);
    expect(await listTable(table)).toBe(before);

    // The context is still usable after errors, and its buffers hold nothing stale.
    expect(JSON.parse(await nftRun('list tables ip', { json: true })).nftables[0].metainfo).toBeDefined();
    await nat.remove(table);
  });

  it('serialises concurrent commands on the one context, in call order', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => nftRun(renderNatRuleset(spec(table, i + 1, 23000)))),
      nftRun('list tables ip', { json: true }),
      nftRun(`list table ip ${absent}`).catch((e: unknown) => e),
      listTable(table),
    ]);
    // Each command saw only its own output: no buffer shared between two of them.
    expect(results.slice(0, 8)).toEqual(Array(8).fill(''));
    expect(JSON.parse(results[8] as string).nftables.some((e: any) => e.table?.name === table)).toBe(true);
    expect(results[9]).toBeInstanceOf(NftError);
    expect((results[9] as NftError).command).toBe(`list table ip ${absent}`);
    // The last apply queued is the one that stays.
    expect(results[10]).toContain('dport 23007 ');
    expect(results[10]).not.toContain('dport 23008 ');
    await nat.remove(table);
  });

  it('says what to install when the library is missing', () => {
    expect(() => bindLibnftables('libstk-no-such-library.so.1')).toThrow(
      /libstk-no-such-library\.so\.1 not found: install nftables \(apt-get install nftables\)/,
    );
  });

  it('never resolves names for validated rulesets (no resolver files opened, no inet socket)', async () => {
    // Trace every thread of this process while it applies and lists. The ruleset holds only
    // literal addresses, so getaddrinfo must return without touching nsswitch/hosts/DNS. (The
    // same trace of `nft -c` with `ip daddr localhost`, in a throwaway netns, shows
    // resolv.conf, nsswitch.conf and /etc/hosts being opened.)
    // The trace goes to strace's stderr, which is unbuffered, straight into a file: nothing
    // is lost when strace is interrupted, and no pipe can fill while our threads are stopped.
    const trace = `/tmp/stk-nft-trace-${id}`;
    const out = openSync(trace, 'w');
    const tids = readdirSync('/proc/self/task');
    // With -f, one -p attaches every thread of the process (threadpool threads included).
    const strace = spawn('strace', ['-f', '-qq', '-e', 'trace=openat,socket,connect', '-p', String(process.pid)], {
      stdio: ['ignore', 'ignore', out],
    });
    closeSync(out);
    // strace has attached once every thread shows a TracerPid.
    for (let i = 0; i < 200; i++) {
      const traced = await Promise.all(
        tids.map((t) =>
          readFile(`/proc/self/task/${t}/status`, 'utf8').then(
            (s) => !/TracerPid:\s+0\n/.test(s),
            () => true,
          ),
        ),
      );
      if (traced.every(Boolean)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    try {
      await nat.apply(spec(table));
      expect(await natTableExists(table)).toBe(true);
      await nat.remove(table);
    } finally {
      strace.kill('SIGINT');
      await new Promise((r) => strace.once('exit', r));
    }
    const log = await readFile(trace, 'utf8');
    await rm(trace, { force: true });
    expect(log).not.toMatch(/attach: /);
    expect(log).toContain('/proc/sys/net/ipv4/ip_forward'); // the trace did see apply run
    expect(log).not.toMatch(/resolv\.conf|nsswitch\.conf|\/etc\/hosts|gai\.conf/);
    // A lookup needs a UDP or TCP socket. Where an iptables-legacy filter table exists (a peer
    // tool made one), the NAT step runs `iptables-legacy -S`, whose libip4tc talks to the
    // kernel through a raw IPPROTO_RAW socket: no name resolution, so not counted.
    expect(log).not.toMatch(/socket\(AF_INET6?, SOCK_(DGRAM|STREAM)|connect\(\d+, \{sa_family=AF_INET/);
  });

  it('applies a 2000-rule table off the event loop: timers run while it is in flight', async () => {
    // Speed (against `nft -f -`) and the loop's longest gap are measured by bench/libnftables.mjs.
    // Here only the behaviour: a synchronous call would hold the loop until it returned, so
    // not one immediate could run before the apply settled.
    const bigRuleset = renderNatRuleset(spec(big, 1000, 30000));
    let settled = false;
    let turns = 0;
    const turn = () => {
      if (settled) return;
      turns++;
      setImmediate(turn);
    };
    const applied = nftRun(bigRuleset).finally(() => (settled = true));
    setImmediate(turn);
    await applied;
    expect(turns).toBeGreaterThan(0);
    expect(await listTable(big)).toContain('dport 30999 ');
    await nat.remove(big);
  });
});
