// The stack's nftables table through libnftables (libnftables.ts): one reused context, no
// process per change. Each ruleset is one nft_run_cmd_from_buffer call, which libnftables
// sends as one kernel transaction, so a failing ruleset leaves the previous table intact.
// Other software's firewalls that drop by default (docker's FORWARD policy, firewalld, ufw)
// get accepts for the stack's bridges alongside (coexist.ts), and lose them with the table.

import type { Host } from '../../host.js';
import { hashOf } from '../../../model/hash.js';
import { placeAccepts, removeAccepts } from './coexist.js';
import { readFirewalls } from './firewall-scan.js';
import { acquireIpForward, ip6ForwardPlaces, releaseIfHeld, releaseIpForward } from './ip-forward.js';
import { nftRun } from './libnftables.js';
import { assertStkTable } from './literals.js';
import { renderNatRuleset } from './nat-ruleset.js';
import { needsNat6, renderNat6Ruleset } from './nat6-ruleset.js';
import { renderOneOffRuleset } from './one-off-ruleset.js';
import { stackRoot } from '../../../store/paths.js';
import { existsSync } from 'node:fs';
import { removePortForwards, syncPortForwards } from './rootless/port-forwards.js';
import { holderRecordFile } from './rootless/rootless-paths.js';
import { inUserNamespace } from './rootless/user-namespace.js';
import type { PortRule } from '../../../model/plan.js';

/** Rootless mode's namespaces, whose host side is pasta or slirp4netns (not root in some other user namespace, e.g. a container's). */
const connectorForwarding = () => inUserNamespace() && existsSync(holderRecordFile());

/** The DNAT of every published port for any local address: the host side chose the address. */
const anyAddress = (ports: readonly PortRule[]): PortRule[] => ports.map(({ hostIp: _, ...r }) => r);

/** Who holds ip_forward on: this table of this STACK_ROOT (test roots reuse project names). */
const forwardUser = (table: string) => `${hashOf(stackRoot())}-${table}`;

/** Whether table `ip TABLE` or `ip6 TABLE` exists (only this stack's supervisor makes them). */
async function natTablesExist(table: string): Promise<boolean> {
  const listing = JSON.parse(await nftRun('list tables', { json: true })) as {
    nftables?: { table?: { name: string } }[];
  };
  return (listing.nftables ?? []).some((e) => e.table?.name === table);
}

export function createLinuxNat(): Omit<Host['nat'], 'generation'> {
  return {
    async apply(spec) {
      // Rootless: the connector binds the host address; inside, the DNAT takes what it hands in.
      const rootless = connectorForwarding();
      const nat = rootless ? { ...spec, ports: anyAddress(spec.ports) } : spec;
      // Other firewalls are read meanwhile (where an iptables listing is needed, it is a
      // process); they are changed only once the ruleset is in. Awaited by placeAccepts; if
      // the ruleset fails first, its failure is the one reported.
      const firewalls = readFirewalls();
      firewalls.catch(() => undefined);
      // Both families in one transaction; validated before anything touches the host. A
      // first apply makes the tables without the delete that replaces them: a transaction
      // that deletes anything leaves the kernel a release to finish after an RCU grace
      // period (10–15 ms here), and the next nf_tables transaction in the namespace waits
      // for it (the accepts' insert right after, where docker's FORWARD drops).
      // Made meanwhile after all (another apply of the table), the fresh ruleset's `create`
      // refuses it, and the one that replaces the table goes in instead.
      const render = (fresh: boolean) => renderNatRuleset(nat, { fresh }) + renderNat6Ruleset(nat, { fresh });
      const fresh = !(await natTablesExist(spec.table));
      const ruleset = render(fresh);
      // Forwarding is host-wide and needed for both egress and published ports.
      await acquireIpForward(forwardUser(spec.table));
      if (needsNat6(spec)) await acquireIpForward(forwardUser(spec.table), ip6ForwardPlaces());
      await nftRun(ruleset).catch((e: unknown) => {
        if (!fresh) throw e;
        return nftRun(render(false));
      });
      if (!needsNat6(spec)) await releaseIfHeld(forwardUser(spec.table), ip6ForwardPlaces());
      await placeAccepts(spec, firewalls);
      if (rootless) await syncPortForwards(spec.table, spec.ports);
    },
    async remove(table) {
      const t = assertStkTable(table);
      // Same trick as apply: declaring the table first makes the delete valid when it is absent.
      await nftRun(`table ip ${t} {}\ndelete table ip ${t}\ntable ip6 ${t} {}\ndelete table ip6 ${t}\n`);
      await removeAccepts(t);
      if (connectorForwarding()) await removePortForwards(t);
      await releaseIpForward(forwardUser(t));
      await releaseIpForward(forwardUser(t), ip6ForwardPlaces());
    },
    async publish(table, project, ports) {
      // Forwarding is on: the one-off's networks are its stack's, whose table holds it.
      // Rootless: the connector binds the one-off's host ports as it does the stack's.
      const rootless = connectorForwarding();
      await nftRun(renderOneOffRuleset(table, project, rootless ? anyAddress(ports) : ports));
      if (rootless) await syncPortForwards(table, [...ports]);
    },
    async unpublish(table) {
      const t = assertStkTable(table);
      await nftRun(`table ip ${t} {}\ndelete table ip ${t}\n`);
      if (connectorForwarding()) await removePortForwards(t);
    },
  };
}
