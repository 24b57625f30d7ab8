// IPv6 address arithmetic (model/ipam6.ts): parsing and the RFC 5952 text, subnets, the
// gateway, the next free address and the ULA /64 picked for a network without a subnet.

import { describe, expect, it } from 'vitest';
import {
  bigToIp6,
  canonicalIp6,
  chooseUlaSubnet,
  contains6,
  defaultGateway6,
  ip6ToBig,
  nextFreeAddress6,
  normalizeCidr6,
  parseCidr6,
  unusableAddress6,
} from '../../model/ipam6.js';

describe('IPv6 text', () => {
  it('round-trips to the RFC 5952 form', () => {
    expect(canonicalIp6('FD00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(canonicalIp6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp6('::')).toBe('::');
    expect(canonicalIp6('::1')).toBe('::1');
    expect(canonicalIp6('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:3:4:5:6');
    expect(canonicalIp6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(bigToIp6(ip6ToBig('fe80::'))).toBe('fe80::');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['10.0.0.1', 'fd00:::1', '1::2::3', 'fd00', '1:2:3:4:5:6:7:8:9', 'g::1', '12345::'])
      expect(() => ip6ToBig(bad), bad).toThrow(/not an IPv6 address/);
  });
});

describe('IPv6 subnets', () => {
  it('normalise, contain, and give the first address as gateway', () => {
    expect(normalizeCidr6('fd00:1::5/64')).toBe('fd00:1::/64');
    expect(contains6(parseCidr6('fd00:1::/64'), 'fd00:1::ffff')).toBe(true);
    expect(contains6(parseCidr6('fd00:1::/64'), 'fd00:2::1')).toBe(false);
    expect(defaultGateway6('fd00:1::/64')).toBe('fd00:1::1');
  });

  it('give the lowest free address after the gateway', () => {
    expect(nextFreeAddress6('fd00:1::/64', 'fd00:1::1', new Set())).toBe('fd00:1::2');
    expect(nextFreeAddress6('fd00:1::/64', 'fd00:1::1', new Set(['fd00:1::2']), 'fd00:1::2')).toBe('fd00:1::3');
    expect(nextFreeAddress6('fd00:1::/127', 'fd00:1::1', new Set())).toBeUndefined();
  });

  it('say why an address cannot be a container one', () => {
    expect(unusableAddress6('fd00:1::/64', 'fd00:1::1', 'fd00:2::5')).toBe('is outside subnet fd00:1::/64');
    expect(unusableAddress6('fd00:1::/64', 'fd00:1::1', 'fd00:1::1')).toBe('is the gateway address');
    expect(unusableAddress6('fd00:1::/64', 'fd00:1::1', 'fd00:1::')).toMatch(/anycast/);
    expect(unusableAddress6('fd00:1::/64', 'fd00:1::1', '10.0.0.1')).toBe('is not an IPv6 address');
    expect(unusableAddress6('fd00:1::/64', 'fd00:1::1', 'fd00:1::9')).toBeUndefined();
  });
});

describe('ULA subnets', () => {
  it('are a /64 in an fd /48 of the seed, the next one when taken, the same for the same seed', () => {
    const first = chooseUlaSubnet('hello', [])!;
    expect(first).toMatch(/^fd[0-9a-f]{2}(:[0-9a-f]{1,4}){2}::\/64$/);
    expect(chooseUlaSubnet('hello', [])).toBe(first);
    const second = chooseUlaSubnet('hello', [first, '10.0.0.0/8'])!;
    expect(second).not.toBe(first);
    expect(parseCidr6(second).base - parseCidr6(first).base).toBe(1n << 64n);
    expect(chooseUlaSubnet('other', [])).not.toBe(first);
  });
});
