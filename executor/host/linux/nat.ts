// The stack's nftables table through the `nft` tool: one `nft -f -` process per change,
// and nft applies its whole input as one kernel transaction, so a failing ruleset leaves
// the previous table intact.

import { writeFile } from 'node:fs/promises';
import type { Host } from '../../host.js';
import { assertStkTable } from './literals.js';
import { renderNatRuleset } from './nat-ruleset.js';
import { runTool } from './run-tool.js';

export function createLinuxNat(): Host['nat'] {
  return {
    async apply(spec) {
      const ruleset = renderNatRuleset(spec); // validates before anything touches the host
      // Forwarding is host-wide and needed for both egress and published ports.
      await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
      await runTool('nft', ['-f', '-'], ruleset);
    },
    async remove(table) {
      const t = assertStkTable(table);
      // Same trick as apply: declaring the table first makes the delete valid when it is absent.
      await runTool('nft', ['-f', '-'], `table ip ${t} {}\ndelete table ip ${t}\n`);
    },
  };
}
