// The fixed resolver's table goes in as one hand-encoded nf_tables batch (fixed-resolver-table.ts);
// its text form is the reference. On the real kernel, in network namespaces this test makes
// (unnamed, gone with their holders): the batch lists as `nft -f` of the text does, and a
// refusal is the same typed error as libnftables' was, naming the namespace and the message,
// with nothing applied. What the table does to traffic: fixed-resolver.test.ts.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { installFixedResolver } from '../../executor/host/linux/fixed-resolver.js';
import { fixedResolverRuleset } from '../../executor/host/linux/fixed-resolver-table.js';
import { NftError } from '../../executor/host/linux/libnftables.js';
import { waitFor } from '../support/processes.js';

const GW_IP = '10.251.8.1';
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** The pid of a process alone in a new network namespace, once it is in it. */
async function freshNamespace(): Promise<number> {
  const child = spawn('unshare', ['-n', 'sleep', '1000'], { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid!;
  await waitFor(
    () => fs.readlinkSync(`/proc/${pid}/ns/net`) !== fs.readlinkSync('/proc/self/ns/net'),
    5000,
    'the namespace',
  );
  return pid;
}

const nft = (pid: number, args: string[], input?: string) =>
  execFileSync('nsenter', ['-t', String(pid), '-n', 'nft', ...args], input === undefined ? {} : { input }).toString();

describe("the fixed resolver's batch", () => {
  it('lists, as text and as JSON, as the text ruleset applied by nft does', async () => {
    const [batch, text] = [await freshNamespace(), await freshNamespace()];
    await installFixedResolver(batch, GW_IP);
    nft(text, ['-f', '-'], fixedResolverRuleset(GW_IP));
    for (const json of [[], ['-j']]) {
      const list = (pid: number) => nft(pid, [...json, 'list', 'table', 'ip', 'stk_resolver']);
      expect(list(batch)).toBe(list(text));
    }
    expect(nft(batch, ['list', 'table', 'ip', 'stk_resolver'])).toContain(`dnat to ${GW_IP}:53`);
  });

  it('replaces the rules of a table there already, keeps nothing twice, and takes a new gateway', async () => {
    const pid = await freshNamespace();
    await installFixedResolver(pid, '10.251.8.254');
    nft(pid, ['add', 'rule', 'ip', 'stk_resolver', 'guard', 'counter']);
    await installFixedResolver(pid, GW_IP);
    const ref = await freshNamespace();
    nft(ref, ['-f', '-'], fixedResolverRuleset(GW_IP));
    const list = (p: number) => nft(p, ['list', 'table', 'ip', 'stk_resolver']);
    expect(list(pid)).toBe(list(ref));
  });

  it('a refused message fails the install as an NftError naming the namespace and the message, and applies nothing', async () => {
    const pid = await freshNamespace();
    // A guard chain on another hook: the kernel refuses to move it (EOPNOTSUPP), as it did under libnftables.
    nft(
      pid,
      ['-f', '-'],
      'add table ip stk_resolver\nadd chain ip stk_resolver guard { type filter hook input priority 0; }\nadd rule ip stk_resolver guard counter\n',
    );
    const before = nft(pid, ['list', 'ruleset']);
    const err = await installFixedResolver(pid, GW_IP).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NftError);
    expect((err as NftError).message).toBe(
      `nft: the fixed resolver's table (127.0.0.11) in the network namespace of pid ${pid}: NFT_MSG_NEWCHAIN stk_resolver guard failed: EOPNOTSUPP (Operation not supported)`,
    );
    expect((err as NftError).command).toBe(fixedResolverRuleset(GW_IP));
    // One transaction: the flush of the guard chain's rule before the refused chain did not happen either.
    expect(nft(pid, ['list', 'ruleset'])).toBe(before);
  });
});
