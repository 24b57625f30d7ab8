// `stack run --use-aliases`: the one-off's endpoints carry the service's network aliases
// and its name (the stack's DNS answers them with its address), as compose's run; without it, none.

import { expect, it } from 'vitest';
import { oneOffSpec } from '../../planner/plan/one-off.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { applied, image, load, observed } from './reconcile-fixtures.js';

const file = `name: aliases
services:
  web:
    image: stack.local/busybox:latest
    command: sleep 1000
    networks:
      front: { aliases: [www, site] }
networks: { front: {} }
`;

it('gives the one-off the service aliases only with --use-aliases', () => {
  const stack = load(file);
  const seen = applied(reconcile(stack, observed({ project: 'aliases' })), observed({ project: 'aliases' }));
  const web = stack.services[0]!;
  const endpoint = (useAliases: boolean) =>
    oneOffSpec('aliases', web, image, seen, { command: [], env: {}, id: 'x', useAliases }).endpoints[0]!;
  // compose's getAliases: the service's name, then its aliases.
  expect(endpoint(true).aliases).toEqual(['web', 'www', 'site']);
  expect(endpoint(false).aliases).toBeUndefined();
});
