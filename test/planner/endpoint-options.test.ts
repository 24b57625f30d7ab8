// A service network entry's driver_opts (the interface's sysctls and name, as docker's
// daemon honours them; every other option refused at its line) and a network's
// ipam.options (docker's default IPAM driver reads none: accepted with a note at each).

import { describe, expect, it } from 'vitest';
import type { ContainerSpec, Plan } from '../../model/plan.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { image, load, observed } from './reconcile-fixtures.js';
import { problems } from './helpers.js';
import { loadTree } from './load-files.js';
import { composeView } from '../../planner/load/compose-view.js';

const starts = (plan: Plan): ContainerSpec[] =>
  plan.operations.flatMap((o) => (o.kind === 'container.start' ? [o.container] : []));

const file = (opts: string, extra = '') => `name: hello
services:
  web:
    image: ${image.ref}
    networks:
      front:
${extra}        driver_opts:
${opts}networks:
  front: {}
`;

describe('endpoint driver_opts', () => {
  it('com.docker.network.endpoint.sysctls are the interface sysctls of the endpoint', () => {
    const text = file(
      '          com.docker.network.endpoint.sysctls: "net.ipv4.conf.IFNAME.log_martians=1, net.ipv6.conf.ifname.accept_ra=0"\n',
    );
    expect(starts(reconcile(load(text), observed()))[0]!.endpoints[0]!.sysctls).toEqual([
      { family: 'ipv4', group: 'conf', name: 'log_martians', value: '1' },
      { family: 'ipv6', group: 'conf', name: 'accept_ra', value: '0' },
    ]);
  });

  it('`config` writes them back under the same option', () => {
    const text = file('          com.docker.network.endpoint.sysctls: net.ipv4.conf.IFNAME.log_martians=1\n');
    const view = composeView(load(text)) as { services: { web: { networks: { front: unknown } } } };
    expect(view.services.web.networks.front).toEqual({
      driver_opts: { 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.log_martians=1' },
    });
  });

  it('a sysctl that is not an interface one (or could leave its folder) is refused at its line', () => {
    expect(
      problems(file('          com.docker.network.endpoint.sysctls: "net.ipv4.conf.eth0.forwarding=1"\n')),
    ).toEqual([
      `8:48: com.docker.network.endpoint.sysctls entry "net.ipv4.conf.eth0.forwarding=1" of service "web" on network "front" is not an interface sysctl: write net.X.Y.IFNAME.Z=V, X one of ipv4, ipv6 or mpls, Y conf or neigh (e.g. 'net.ipv4.conf.IFNAME.log_martians=1')`,
    ]);
    expect(
      problems(file('          com.docker.network.endpoint.sysctls: "net.ipv4.conf.IFNAME.../../x=1"\n'))[0],
    ).toContain('is not an interface sysctl');
  });

  it('com.docker.network.endpoint.ifname names the interface, as interface_name does', () => {
    const text = file('          com.docker.network.endpoint.ifname: front0\n');
    expect(starts(reconcile(load(text), observed()))[0]!.endpoints[0]!.ifname).toBe('front0');
  });

  it('an ifname option that differs from interface_name is refused at its line', () => {
    expect(
      problems(file('          com.docker.network.endpoint.ifname: front0\n', '        interface_name: eth3\n')),
    ).toEqual([
      '9:47: com.docker.network.endpoint.ifname "front0" of service "web" on network "front" differs from its interface_name "eth3"; keep one of the two',
    ]);
  });

  it('any other option is refused at its key: docker has no endpoint option for the bridge driver', () => {
    expect(problems(file('          com.docker.network.endpoint.macaddress: "02:42:ac:11:00:02"\n'))).toEqual([
      '8:11: valid Compose, not supported by stack: driver_opts "com.docker.network.endpoint.macaddress" of service "web" on network "front": remove it; stack\'s endpoints take com.docker.network.endpoint.sysctls and com.docker.network.endpoint.ifname',
    ]);
  });
});

describe('ipam.options', () => {
  it('are accepted with a note at each option, as docker accepts and never reads them', () => {
    const stack = loadTree({
      'stack.yaml': `name: hello
services:
  web: {image: ${image.ref}}
networks:
  default:
    ipam:
      options:
        com.docker.network.ipam.serial: "true"
`,
    });
    expect(stack.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toEqual([
      '8:9: ipam.options "com.docker.network.ipam.serial" of network "default" does nothing: docker\'s default IPAM driver reads no options (it only keeps them for inspect), and stack allocates as that driver does; stack ignores it, as docker does',
    ]);
  });
});
