// The rtnetlink dumps observe uses must see what `ip` sees: the same links, UP flags,
// IPv4 addresses and main-table route destinations.

import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { dumpLinks, dumpRouteDestinations } from '../../executor/host/linux/rtnetlink-dump.js';

const ipJson = (args: string[]) => JSON.parse(execFileSync('ip', ['-j', ...args], { encoding: 'utf8' })) as any[];

it('dumpLinks matches `ip -j addr`', () => {
  const expected = new Map(
    ipJson(['addr', 'show']).map((l) => [
      l.ifname as string,
      {
        up: (l.flags as string[]).includes('UP'),
        addresses: (l.addr_info as { family: string; local: string; prefixlen: number }[])
          .filter((a) => a.family === 'inet')
          .map((a) => `${a.local}/${a.prefixlen}`),
      },
    ]),
  );
  expect(dumpLinks()).toEqual(expected);
});

it('dumpRouteDestinations matches `ip -j -4 route` (main table, default left out)', () => {
  const expected = ipJson(['-4', 'route', 'show'])
    .map((r) => r.dst as string)
    .filter((d) => d !== 'default')
    .map((d) => (d.includes('/') ? d : `${d}/32`));
  expect(dumpRouteDestinations().sort()).toEqual(expected.sort());
});
