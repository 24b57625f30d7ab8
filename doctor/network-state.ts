// Host network settings stack relies on: IPv4 forwarding (stack turns it on itself while a
// stack with networks runs) and whether br_netfilter sends bridged frames through the
// iptables/nftables forward hooks (docker loads it; a drop policy there then also stops
// traffic between containers of one network: see the firewall check).

import { fail, ok, type Check } from './verdict.js';

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
const BR_NF_CALL = '/proc/sys/net/bridge/bridge-nf-call-iptables';

export const ipForwardCheck: Check = {
  name: 'ip-forward',
  run(probe) {
    const value = probe.read(IP_FORWARD)?.trim();
    if (value === undefined)
      return fail(
        'ip-forward',
        `no ${IP_FORWARD}: this kernel has no IPv4 networking stack can use`,
        'boot a kernel with IPv4 (CONFIG_INET)',
      );
    if (value === '1') return ok('ip-forward', 'net.ipv4.ip_forward=1');
    if (probe.writable(IP_FORWARD))
      return ok(
        'ip-forward',
        'net.ipv4.ip_forward=0: stack turns it on while a stack with networks runs, and back off after the last `down`',
      );
    return fail(
      'ip-forward',
      'net.ipv4.ip_forward=0 and /proc/sys is not writable here: containers would have no way out',
      'set it on the host (sysctl -w net.ipv4.ip_forward=1), or run stack where /proc/sys is writable (not in an unprivileged container)',
    );
  },
};

export const brNetfilterCheck: Check = {
  name: 'br-netfilter',
  run(probe) {
    const value = probe.read(BR_NF_CALL)?.trim();
    if (value === undefined)
      return ok('br-netfilter', 'not loaded: traffic between containers on one network stays on its bridge');
    if (value === '0')
      return ok('br-netfilter', 'loaded, bridge-nf-call-iptables=0: bridged frames skip the forward hooks');
    return ok(
      'br-netfilter',
      'loaded, bridge-nf-call-iptables=1: traffic between containers on one network also passes the forward hooks (a drop there stops it)',
    );
  },
};
