// A first apply makes the stack's tables without deleting them first (nat.ts: a deleting
// transaction delays the next one). It decides so from a `list tables` taken before the
// ruleset goes in; if the table appears in between (two applies of one table at once), a
// ruleset without the reset would add its chains' rules to the ones there: every rule
// twice, and the other spec's published ports and networks kept. The table must end as
// exactly one of the two applies made it. In a network namespace that plays the host.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatSpec } from '../../model/plan.js';
import { makeNetnsHost, type NetnsHost } from '../support/netns-host.js';
import { repoRoot } from '../support/stack-cli.js';

const TABLE = 'stk_tfresh_abc123';
const spec = (hostPort: number, bridge: string, subnet: string): NatSpec => ({
  project: 'tfresh',
  table: TABLE,
  hash: `h${hostPort}`,
  ports: [
    {
      service: 'web',
      container: 'tfresh-web-1',
      protocol: 'tcp',
      hostPort,
      containerIp: subnet.replace(/0\/24$/, '2'),
      containerPort: 80,
    },
  ],
  networks: [{ bridge, subnet }],
});
const A = spec(18080, 'stkb000000000a', '10.89.10.0/24');
const B = spec(18081, 'stkb000000000b', '10.89.11.0/24');

describe('a first NAT apply whose table appears meanwhile', () => {
  let host: NetnsHost;
  let root: string;
  beforeAll(() => {
    host = makeNetnsHost();
    root = mkdtempSync(path.join(os.tmpdir(), 'stk-nat-fresh-'));
  }, 30_000);
  afterAll(() => {
    host?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs `ops` (a script of nat.apply and nat.remove calls) in the namespace; the table's rules after. */
  const run = (ops: string) => {
    const nat = JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/nat.js'));
    const script = `
const { createLinuxNat } = await import(${nat});
const nat = createLinuxNat();
${ops}
`;
    host.must(['env', `STACK_ROOT=${root}`, process.execPath, '--input-type=module', '-e', script]);
    const r = host.run(['nft', 'list', 'table', 'ip', TABLE]);
    // The rules: lines two tabs in, other than a base chain's `type … hook …; policy …;`.
    return r.code === 0 ? r.stdout.split('\n').filter((l) => l.startsWith('\t\t') && !l.includes(' hook ')) : [];
  };

  it('ends as one of the two applies made it, each rule once', () => {
    const onlyA = run(`await nat.apply(${JSON.stringify(A)});`);
    const onlyB = run(`await nat.remove('${TABLE}'); await nat.apply(${JSON.stringify(B)});`);
    expect(onlyA.length).toBeGreaterThan(0);
    run(`await nat.remove('${TABLE}');`);
    const both = run(`await Promise.all([nat.apply(${JSON.stringify(A)}), nat.apply(${JSON.stringify(B)})]);`);
    expect([onlyA, onlyB]).toContainEqual(both);
    expect(run(`await nat.remove('${TABLE}');`)).toEqual([]);
  });
});
