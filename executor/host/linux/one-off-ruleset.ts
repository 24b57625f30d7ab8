// The nftables table of a one-off's published ports (`stack run -p`/`-P`): its DNAT rules
// alone, jumped to from prerouting (traffic from outside) and output (from the host), as
// in the stack's own table (nat-ruleset.ts). A table of its own, so the one-off adds and
// removes it without touching the rules the stack's applies own; the masquerade of
// 127.0.0.1 traffic, the isolation of the bridges and the loopback guard are the stack's
// table's, as the one-off is only ever on its stack's own networks.

import type { PortRule } from '../../../model/plan.js';
import { assertStkTable, label } from './literals.js';
import { dnatRule } from './nat-ruleset.js';

export function renderOneOffRuleset(table: string, project: string, ports: readonly PortRule[]): string {
  const t = assertStkTable(table);
  const p = label(project);
  const jump = `jump ports comment "${p}/published ports of a one-off"`;
  return [
    `table ip ${t} {}`,
    `delete table ip ${t}`,
    `table ip ${t} {`,
    `  chain ports {`,
    ...ports.map((r) => `    ${dnatRule(p, r)}`),
    `  }`,
    `  chain prerouting {`,
    `    type nat hook prerouting priority dstnat; policy accept;`,
    `    ${jump}`,
    `  }`,
    `  chain output {`,
    `    type nat hook output priority -100; policy accept;`,
    `    ${jump}`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}
