// docker's fixed resolver address inside containers: 127.0.0.11 port 53 on every user
// network, which configs hard-code (`resolver 127.0.0.11` in nginx). stack's resolver is
// its DNS server on the network's gateway, an address that changes between `up`s; a small
// nftables table in the container's own network namespace leads 127.0.0.11:53 there:
// - output: DNAT of 127.0.0.11:53 (UDP and TCP) to the gateway's port 53;
// - postrouting: the query then leaves eth0 with its loopback source, which gets the
//   container's address instead (masquerade), so the DNS server knows who asks and the
//   host's loopback guard (nat-ruleset.ts) lets it through;
// - route_localnet in the namespace: without it the kernel refuses to route a packet with a
//   loopback source out of eth0, and drops the answer addressed back to 127.0.0.1;
// - prerouting at priority raw: with route_localnet on, a neighbour on the bridge could send
//   frames to the container's 127.0.0.1 services (CVE-2020-8558 inside the container); a
//   loopback address on a packet that did not come through lo is dropped before NAT.
// Containers lack CAP_NET_ADMIN (unless privileged), so they cannot change the table.
// Made idempotent with a flush, not a delete, of the table: freeing a libnftables context
// whose transaction deleted a table (closing its netlink socket) waits 5-13 ms in the kernel,
// on the supervisor's main thread, once per container (0.01 ms after a flush).

import fs from 'node:fs';
import { assertIPv4 } from './literals.js';
import { nftRunIn } from './libnftables.js';
import { openInNetns, openNetnsOf } from './netns-socket.js';
import { FIXED_RESOLVER } from '../../../model/fixed-resolver.js';
const TABLE = 'stk_resolver';

export function fixedResolverRuleset(gateway: string): string {
  const gw = assertIPv4(gateway, 'gateway');
  return [
    `table ip ${TABLE} {}`,
    `flush table ip ${TABLE}`,
    `table ip ${TABLE} {`,
    `  chain guard {`,
    `    type filter hook prerouting priority raw; policy accept;`,
    `    iifname != "lo" ip daddr 127.0.0.0/8 drop`,
    `    iifname != "lo" ip saddr 127.0.0.0/8 drop`,
    `  }`,
    `  chain output {`,
    `    type nat hook output priority -100; policy accept;`,
    `    ip daddr ${FIXED_RESOLVER} udp dport 53 dnat to ${gw}:53`,
    `    ip daddr ${FIXED_RESOLVER} tcp dport 53 dnat to ${gw}:53`,
    `  }`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    `    oifname != "lo" ip saddr 127.0.0.0/8 masquerade`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}

/** Makes 127.0.0.11:53 in the network namespace of `pid` lead to the stack's DNS server on `gateway`. */
export async function installFixedResolver(pid: number, gateway: string): Promise<void> {
  const ruleset = fixedResolverRuleset(gateway); // validates before anything is opened
  const netns = openNetnsOf(pid);
  try {
    const inNetns = <T>(open: () => T): T => openInNetns(netns, open);
    // /proc/sys/net files belong to the namespace of whoever opens them.
    const localnet = inNetns(() => fs.openSync('/proc/sys/net/ipv4/conf/all/route_localnet', 'w'));
    try {
      fs.writeSync(localnet, '1');
    } finally {
      fs.closeSync(localnet);
    }
    await nftRunIn(inNetns, ruleset);
  } finally {
    fs.closeSync(netns);
  }
}
