// The comments of iptables-nft's rules come from one nf_tables rule dump, which finds
// stack's marked accepts to replace or remove them (iptables-nft-comments.ts). A dump of a
// table larger than one netlink datagram comes in parts, and the kernel resumes each part
// by the rule's index: if the table changes between two parts (docker adds and removes its
// rules as containers come and go), rules are skipped, and the kernel says so with
// NLM_F_DUMP_INTR. A marked rule missed is left behind at `down` and doubled by the next
// `up`. Here, in a network namespace that plays the host: 400 marked rules (~8 parts) while
// another process keeps changing a chain listed before theirs; every read finds all of them.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNetnsHost, type NetnsHost } from '../support/netns-host.js';
import { repoRoot } from '../support/stack-cli.js';

const MARKED = 400;
const dist = (f: string) => JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux', f));

/** Adds two rules to chain AAA and flushes it, a change every 20 ms, until killed. */
const CHURN = `
const { nftRun } = await import(${dist('libnftables.js')});
const pause = () => new Promise((r) => setTimeout(r, 20));
for (;;) {
  await nftRun('add rule ip filter AAA counter\\nadd rule ip filter AAA counter\\n');
  await pause();
  await nftRun('flush chain ip filter AAA\\n');
  await pause();
}
`;

/** Reads the comments for 3 s (~500 reads; on e4371fe ~6% of them missed a rule); how many reads missed a marked rule. */
const READS = `
const { iptablesNftComments } = await import(${dist('iptables-nft-comments.js')});
let short = 0;
for (const end = Date.now() + 3000; Date.now() < end; ) {
  const marked = [...iptablesNftComments().values()].filter((c) => c.startsWith('stk_mark_'));
  if (marked.length !== ${MARKED}) short++;
}
console.log(short);
`;

describe("iptables-nft's comments read while the table changes", () => {
  let host: NetnsHost;
  let churn: ChildProcess | undefined;
  beforeAll(() => {
    host = makeNetnsHost();
    // AAA is made first, so the kernel lists it before DOCKER-USER: a change there moves the index.
    host.must(['iptables-nft', '-w', '-N', 'AAA']);
    const lines = Array.from(
      { length: MARKED },
      (_, i) =>
        `-A DOCKER-USER -s 10.1.${i >> 8}.${i & 255}/32 -i stkb${i} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment stk_mark_${i} -j ACCEPT`,
    );
    host.must(['iptables-nft-restore', '-w', '--noflush'], {
      input: ['*filter', ':DOCKER-USER - [0:0]', ...lines, 'COMMIT', ''].join('\n'),
    });
  }, 30_000);
  afterAll(() => {
    churn?.kill('SIGKILL');
    host?.dispose();
  });

  it('finds every marked rule, though dump parts were interrupted', async () => {
    churn = spawn(host.wrap[0]!, [...host.wrap.slice(1), process.execPath, '--input-type=module', '-e', CHURN], {
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 300));
    const out = host.must([process.execPath, '--input-type=module', '-e', READS]);
    expect(Number(out.trim().split('\n').at(-1))).toBe(0);
  }, 60_000);
});
