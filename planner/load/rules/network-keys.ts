// Network keys whose values stack checks beyond the schema: a network's driver_opts (the
// MTU and the bridge name work; every other option is valid Compose stack does not
// implement), the aux_addresses of its ipam entry (addresses inside the subnet that no
// container may get), and a service's link_local_ips (IPv4 only, like stack's networks).

import { contains, parseCidr } from '../../../model/ipam.js';
import {
  BRIDGE_NAME_OPTION,
  BRIDGE_OPTIONS,
  bridgeNameProblem,
  MTU_OPTION,
  MTU_RANGE,
  parseMtu,
} from '../../../model/network-options.js';
import {
  ENDPOINT_OPTIONS,
  IFNAME_OPTION,
  parseInterfaceSysctls,
  SYSCTL_FORM,
  SYSCTLS_OPTION,
} from '../../../model/endpoint-options.js';
import { isIpv4 } from './networking.js';
import { isV6Entry } from './ipv6.js';
import { list, obj, type Obj, type RuleContext } from './context.js';

const UNSUPPORTED = 'valid Compose, not supported by stack:';

export function checkLinkLocalIps(ctx: RuleContext, name: string, svc: Obj): void {
  for (const [network, cfg] of Object.entries(obj(svc.networks) ?? {})) {
    list(obj(cfg)?.link_local_ips).forEach((ip, i) => {
      const path = ['services', name, 'networks', network, 'link_local_ips', i];
      if (typeof ip !== 'string' || isIpv4(ip)) return;
      ctx.at(
        path,
        ip.includes(':')
          ? `${UNSUPPORTED} IPv6 link-local address "${ip}" of service "${name}": stack's networks are IPv4 only; remove it`
          : `link_local_ips entry "${ip}" of service "${name}" is not an IPv4 address`,
      );
    });
  }
}

/**
 * A service network entry's `driver_opts`: the interface's sysctls and name work (docker's
 * daemon honours them for every driver); docker's bridge driver reads no other endpoint
 * option, so any other is refused at its line rather than dropped.
 */
export function checkEndpointDriverOpts(ctx: RuleContext, name: string, svc: Obj): void {
  for (const [network, cfg] of Object.entries(obj(svc.networks) ?? {})) {
    const opts = obj(obj(cfg)?.driver_opts);
    for (const [option, value] of Object.entries(opts ?? {})) {
      const path = ['services', name, 'networks', network, 'driver_opts', option];
      if (!(ENDPOINT_OPTIONS as readonly string[]).includes(option)) {
        ctx.at(
          path,
          `${UNSUPPORTED} driver_opts "${option}" of service "${name}" on network "${network}": remove it; stack's endpoints take ${ENDPOINT_OPTIONS.join(' and ')}`,
          'key',
        );
      } else if (option === SYSCTLS_OPTION) {
        const parsed = parseInterfaceSysctls(String(value));
        if ('bad' in parsed)
          ctx.at(
            path,
            `${SYSCTLS_OPTION} entry ${JSON.stringify(parsed.bad)} of service "${name}" on network "${network}" is not an interface sysctl: write ${SYSCTL_FORM}`,
          );
      } else if (option === IFNAME_OPTION) {
        const given = obj(cfg)?.interface_name;
        if (typeof given === 'string' && given !== String(value))
          ctx.at(
            path,
            `${IFNAME_OPTION} ${JSON.stringify(String(value))} of service "${name}" on network "${network}" differs from its interface_name ${JSON.stringify(given)}; keep one of the two`,
          );
      }
    }
  }
}

/**
 * A `mac_address` (of the service or of one of its networks) must name one interface: an
 * address whose first octet has its low bit set is a multicast (group) address, which the
 * kernel refuses for a link (EADDRNOTAVAIL at start, long after the plan).
 */
export function checkMacAddresses(ctx: RuleContext, name: string, svc: Obj): void {
  const places: [(string | number)[], unknown][] = [
    [['services', name, 'mac_address'], svc.mac_address],
    ...Object.entries(obj(svc.networks) ?? {}).map(([network, cfg]): [(string | number)[], unknown] => [
      ['services', name, 'networks', network, 'mac_address'],
      obj(cfg)?.mac_address,
    ]),
  ];
  for (const [path, mac] of places) {
    if (typeof mac !== 'string' || !/^[0-9a-fA-F]{2}:/.test(mac)) continue;
    if ((parseInt(mac.slice(0, 2), 16) & 1) === 0) continue;
    ctx.at(
      path,
      `mac_address "${mac}" of service "${name}" is a multicast address (the first octet is odd), which no interface can have; use a unicast one such as 02:42:ac:11:00:02`,
    );
  }
}

function checkDriverOpts(ctx: RuleContext, key: string, opts: Obj): void {
  for (const [option, value] of Object.entries(opts)) {
    const path = ['networks', key, 'driver_opts', option];
    if (!(BRIDGE_OPTIONS as readonly string[]).includes(option)) {
      ctx.at(
        path,
        `${UNSUPPORTED} driver_opts "${option}" of network "${key}": remove it; stack's bridges take ${BRIDGE_OPTIONS.join(' and ')}`,
        'key',
      );
    } else if (option === MTU_OPTION && parseMtu(value) === undefined) {
      ctx.at(path, `${MTU_OPTION} ${JSON.stringify(value)} of network "${key}" is not an MTU: ${MTU_RANGE}`);
    } else if (option === BRIDGE_NAME_OPTION) {
      const why = bridgeNameProblem(String(value));
      const shown = JSON.stringify(String(value));
      if (why === 'invalid')
        ctx.at(
          path,
          `bridge name ${shown} of network "${key}" is not a Linux interface name: 1 to 15 letters, digits, '_', '-' or '.'`,
        );
      else if (why === 'foreign')
        ctx.at(
          path,
          `${UNSUPPORTED} bridge name ${shown} of network "${key}": stack makes and removes only host links of its own, and its bridges are named stkb…; use a name that starts with stkb, or remove it`,
        );
      else if (why === 'generated')
        ctx.at(
          path,
          `bridge name ${shown} of network "${key}" has the form of the names stack gives its own links; choose another`,
        );
    }
  }
}

function checkAuxAddresses(ctx: RuleContext, key: string, config: unknown): void {
  list(config).forEach((c, i) => {
    const entry = obj(c);
    if (entry && isV6Entry(entry)) return; // rules/ipv6.ts
    const subnet = typeof entry?.subnet === 'string' && isIpv4(entry.subnet.split('/')[0]!) ? entry.subnet : undefined;
    for (const [host, ip] of Object.entries(obj(entry?.aux_addresses) ?? {})) {
      const path = ['networks', key, 'ipam', 'config', i, 'aux_addresses', host];
      if (typeof ip !== 'string') continue;
      if (!isIpv4(ip)) ctx.at(path, `aux_addresses ${host} "${ip}" of network "${key}" is not an IPv4 address`);
      else if (subnet === undefined)
        ctx.at(path, `aux_addresses of network "${key}" need a subnet; add \`subnet:\` to the same ipam.config entry`);
      else if (!contains(parseCidr(subnet), ip))
        ctx.at(path, `aux_addresses ${host} ${ip} of network "${key}" is outside its subnet ${subnet}`);
    }
  });
}

export function checkNetworkKeys(ctx: RuleContext): void {
  for (const key of ctx.declared('networks')) {
    const net = obj(obj(ctx.root.networks)?.[key]);
    const opts = obj(net?.driver_opts);
    if (opts) checkDriverOpts(ctx, key, opts);
    checkAuxAddresses(ctx, key, obj(net?.ipam)?.config);
  }
}
