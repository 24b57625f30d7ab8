// A drop policy at the forward or input hook, from docker (iptables FORWARD DROP) or a
// firewall (firewalld's or ufw's `inet filter` table): an accept in stack's own table does
// not override it, since every base chain at a hook must accept a packet. At forward it
// stops containers' egress and, with br_netfilter, traffic between containers of one
// network (names resolve, connections hang); at input it stops their DNS on the gateway.

import type { BaseChain } from '../executor/host/linux/doctor-probe.js';
import { rootOnly } from './root.js';
import { ok, warn, type Check } from './verdict.js';

const EFFECT: Record<string, string> = {
  forward: 'containers lose egress and, with br_netfilter, reach no other container of their network',
  input: "containers cannot reach stack's DNS on their gateway",
};

function where(c: BaseChain): string {
  return c.backend === 'nftables' ? `nftables table ${c.table} chain ${c.chain}` : `iptables-legacy filter ${c.chain}`;
}

/** The rules that let stack's bridges (stkb…) through that chain, at its top. */
function acceptRules(c: BaseChain): string {
  const dirs = c.hook === 'forward' ? ['in', 'out'] : ['in'];
  // docker evaluates DOCKER-USER first in its FORWARD chain and documents it for other software's rules.
  if (c.dockerUser && c.hook === 'forward') {
    const tool = c.backend === 'nftables' ? 'iptables' : 'iptables-legacy';
    return dirs.map((d) => `${tool} -I DOCKER-USER ${d === 'in' ? '-i' : '-o'} stkb+ -j ACCEPT`).join('; ');
  }
  if (c.backend === 'nftables')
    return dirs
      .map((d) => `nft insert rule ${c.table} ${c.chain} ${d === 'in' ? 'iifname' : 'oifname'} "stkb*" accept`)
      .join('; ');
  return dirs.map((d) => `iptables-legacy -I ${c.chain} ${d === 'in' ? '-i' : '-o'} stkb+ -j ACCEPT`).join('; ');
}

export const firewallCheck: Check = {
  name: 'firewall',
  async run(probe) {
    const skipped = rootOnly(probe, 'firewall', 'listing nftables and iptables');
    if (skipped) return skipped;
    const chains = await probe.baseChains();
    if (typeof chains === 'string')
      return warn(
        'firewall',
        `cannot tell whether a firewall drops containers' traffic: ${chains}`,
        'apt-get install nftables',
      );
    const drops = chains.filter(
      (c) => (c.hook === 'forward' || c.hook === 'input') && c.policy === 'drop' && !c.acceptsStack,
    );
    if (drops.length === 0) {
      const letThrough = chains.filter((c) => c.policy === 'drop' && c.acceptsStack);
      return ok(
        'firewall',
        letThrough.length > 0
          ? `${letThrough.map(where).join(', ')} drop by policy but let stack's bridges through`
          : 'no forward or input chain drops by policy',
      );
    }
    const detail = drops.map((c) => `${where(c)} drops by policy at the ${c.hook} hook (${EFFECT[c.hook]})`).join('; ');
    // `up` places accepts for each stack's bridge in these chains itself (docs/coexistence.md);
    // they go with a firewall reload until the next `up`, so the policy stays worth a warning.
    return warn(
      'firewall',
      detail,
      `none needed while stacks run: each \`stack up\` adds accepts for its bridges to these chains and \`down\` removes them; after a firewall reload run \`stack up\` again. To let stack's bridges through for good: ${drops.map(acceptRules).join('; ')}`,
    );
  },
};
