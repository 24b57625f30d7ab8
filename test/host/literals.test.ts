// The interface names the host layer accepts are the ones the planner lets through: an
// `interface_name: eth0.100` (a VLAN-style name, valid for the kernel and for docker) must
// not pass config and plan and then be refused after the container was spawned.

import { describe, expect, it } from 'vitest';
import { assertIfname } from '../../executor/host/linux/literals.js';
import { IFNAME } from '../../model/network-options.js';

describe('assertIfname', () => {
  it('takes every name the planner allows, a dot included', () => {
    for (const name of ['eth0', 'eth0.100', 'net_1', 'a-b', 'x'.repeat(15)]) {
      expect(IFNAME.test(name)).toBe(true);
      expect(assertIfname(name)).toBe(name);
    }
  });

  it('refuses what neither allows: too long, . and .., spaces, quotes, newlines', () => {
    for (const name of ['x'.repeat(16), '.', '..', 'eth 0', 'eth"0', 'eth0\n', '']) {
      expect(IFNAME.test(name)).toBe(false);
      expect(() => assertIfname(name)).toThrow(/invalid interface name/);
    }
  });
});
