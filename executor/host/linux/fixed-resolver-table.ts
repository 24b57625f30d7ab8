// The fixed resolver's table (why each rule: fixed-resolver.ts), written once with both its
// forms side by side: each chain and rule as `nft -f` text and as the nf_tables expressions
// `nft` makes of that text (`nft --debug=netlink -f`). The install sends the expressions as
// one netlink batch; the text is the readable reference, and
// test/host/fixed-resolver-batch.test.ts proves the two list the same in a namespace.

import { FIXED_RESOLVER } from '../../../model/fixed-resolver.js';
import { assertIPv4 } from './literals.js';
import type { NlRequest } from './netlink.js';
import {
  addBaseChain,
  addTable,
  appendRule,
  encodeNftBatch,
  flushTable,
  type BaseChain,
  type NftMessage,
} from './nft-batch.js';
import {
  cmp,
  type Expr,
  ifnameData,
  immediateData,
  ipv4Data,
  masquerade,
  meta,
  natToAddressAndPort,
  NF_VERDICT,
  NFPROTO_IPV4,
  NFT_CMP,
  NFT_META,
  NFT_NAT,
  NFT_PAYLOAD,
  NFT_REG,
  payload,
  portData,
  verdict,
} from './nft-expressions.js';

export const RESOLVER_TABLE = 'stk_resolver';

/** enum nf_inet_hooks. */
const NF_INET = { PRE_ROUTING: 0, LOCAL_OUT: 3, POST_ROUTING: 4 } as const;
/** enum nf_ip_hook_priorities: raw, and NAT before (dstnat) and after (srcnat) routing. */
const NF_IP_PRI = { RAW: -300, NAT_DST: -100, NAT_SRC: 100 } as const;
const IPPROTO = { TCP: 6, UDP: 17 } as const;
/** Offsets in the IPv4 header, and of the destination port in the UDP and TCP headers. */
const IP_SADDR = 12;
const IP_DADDR = 16;
const L4_DPORT = 2;
const DNS_PORT = 53;

interface Rule {
  text: string;
  exprs: Expr[];
}

interface Chain extends BaseChain {
  /** The chain's first line in `nft -f` text. */
  hookText: string;
  rules: Rule[];
}

const LO = ifnameData('lo');
const LOOPBACK_NET = Buffer.from([127]);
const RESOLVER_ADDRESS = ipv4Data(FIXED_RESOLVER);
const DNS = portData(DNS_PORT);

/** `iifname != "lo"` / `oifname != "lo"`. */
const notFromLo = (key: number) => [meta(key, NFT_REG.R1), cmp(NFT_CMP.NEQ, NFT_REG.R1, LO)];
/** `ip saddr 127.0.0.0/8` / `ip daddr 127.0.0.0/8`: the address's first byte is 127. */
const loopbackNet = (offset: number) => [
  payload(NFT_PAYLOAD.NETWORK_HEADER, offset, 1, NFT_REG.R1),
  cmp(NFT_CMP.EQ, NFT_REG.R1, LOOPBACK_NET),
];

/** `ip daddr 127.0.0.11 PROTO dport 53 dnat to GATEWAY:53`. */
function dnsToGateway(proto: 'udp' | 'tcp', gateway: string): Rule {
  return {
    text: `ip daddr ${FIXED_RESOLVER} ${proto} dport ${DNS_PORT} dnat to ${gateway}:${DNS_PORT}`,
    exprs: [
      payload(NFT_PAYLOAD.NETWORK_HEADER, IP_DADDR, 4, NFT_REG.R1),
      cmp(NFT_CMP.EQ, NFT_REG.R1, RESOLVER_ADDRESS),
      meta(NFT_META.L4PROTO, NFT_REG.R1),
      cmp(NFT_CMP.EQ, NFT_REG.R1, Buffer.from([proto === 'udp' ? IPPROTO.UDP : IPPROTO.TCP])),
      payload(NFT_PAYLOAD.TRANSPORT_HEADER, L4_DPORT, 2, NFT_REG.R1),
      cmp(NFT_CMP.EQ, NFT_REG.R1, DNS),
      immediateData(NFT_REG.R1, ipv4Data(gateway)),
      immediateData(NFT_REG.R2, DNS),
      natToAddressAndPort(NFT_NAT.DNAT, NFT_REG.R1, NFT_REG.R2),
    ],
  };
}

function chains(gateway: string): Chain[] {
  return [
    {
      name: 'guard',
      type: 'filter',
      hook: NF_INET.PRE_ROUTING,
      priority: NF_IP_PRI.RAW,
      policy: NF_VERDICT.ACCEPT,
      hookText: 'type filter hook prerouting priority raw; policy accept;',
      rules: [
        {
          text: 'iifname != "lo" ip daddr 127.0.0.0/8 drop',
          exprs: [...notFromLo(NFT_META.IIFNAME), ...loopbackNet(IP_DADDR), verdict(NF_VERDICT.DROP)],
        },
        {
          text: 'iifname != "lo" ip saddr 127.0.0.0/8 drop',
          exprs: [...notFromLo(NFT_META.IIFNAME), ...loopbackNet(IP_SADDR), verdict(NF_VERDICT.DROP)],
        },
      ],
    },
    {
      name: 'output',
      type: 'nat',
      hook: NF_INET.LOCAL_OUT,
      priority: NF_IP_PRI.NAT_DST,
      policy: NF_VERDICT.ACCEPT,
      hookText: 'type nat hook output priority -100; policy accept;',
      rules: [dnsToGateway('udp', gateway), dnsToGateway('tcp', gateway)],
    },
    {
      name: 'postrouting',
      type: 'nat',
      hook: NF_INET.POST_ROUTING,
      priority: NF_IP_PRI.NAT_SRC,
      policy: NF_VERDICT.ACCEPT,
      hookText: 'type nat hook postrouting priority srcnat; policy accept;',
      rules: [
        {
          text: 'oifname != "lo" ip saddr 127.0.0.0/8 masquerade',
          exprs: [...notFromLo(NFT_META.OIFNAME), ...loopbackNet(IP_SADDR), masquerade],
        },
      ],
    },
  ];
}

/** The table as `nft -f` text: made if missing, its rules flushed, then the chains and rules. */
export function fixedResolverRuleset(gateway: string): string {
  const t = `table ip ${RESOLVER_TABLE}`;
  const body = chains(assertIPv4(gateway, 'gateway')).flatMap((c) => [
    `  chain ${c.name} {`,
    `    ${c.hookText}`,
    ...c.rules.map((r) => `    ${r.text}`),
    `  }`,
  ]);
  return [`${t} {}`, `flush table ip ${RESOLVER_TABLE}`, `${t} {`, ...body, `}`, ''].join('\n');
}

/** The same as the messages of one nf_tables batch (nft-batch.ts). */
function messages(gateway: string): NftMessage[] {
  const cs = chains(gateway);
  return [
    addTable(RESOLVER_TABLE),
    flushTable(RESOLVER_TABLE),
    ...cs.map((c) => addBaseChain(RESOLVER_TABLE, c)),
    ...cs.flatMap((c) => c.rules.map((r) => appendRule(RESOLVER_TABLE, c.name, r.text, r.exprs))),
  ];
}

/**
 * The last gateway's batch: a network's containers share their gateway, and encoding costs
 * ~0.1 ms of the main thread warm, ~1 ms the first time (functions not yet compiled).
 */
let last: { gateway: string; batch: NlRequest[] } | undefined;

/** The table as one encoded nf_tables batch for an `ip` family table, ready to send. */
export function fixedResolverBatch(gateway: string): NlRequest[] {
  if (last?.gateway !== gateway)
    last = { gateway, batch: encodeNftBatch(NFPROTO_IPV4, messages(assertIPv4(gateway, 'gateway'))) };
  return last.batch;
}
