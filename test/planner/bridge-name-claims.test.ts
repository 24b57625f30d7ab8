// A custom bridge name (driver_opts com.docker.network.bridge.name) is held by the apply
// that makes it from its plan on, as its subnet is (model/claims.ts): a second stack
// planning before the first one's network record exists must not take the same name.

import { describe, expect, it } from 'vitest';
import { claimsOf, withClaims } from '../../model/claims.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { load, observed } from './reconcile-fixtures.js';

const fileOf = (project: string) => `name: ${project}
services:
  web:
    image: stack.local/busybox:latest
    networks: [front]
networks:
  front:
    driver_opts:
      com.docker.network.bridge.name: stkbshared
`;

describe('a custom bridge name', () => {
  it("another stack's apply in progress holds is refused at plan, naming that stack and the fix", () => {
    const first = reconcile(load(fileOf('first')), { ...observed(), project: 'first' });
    const claims = { project: 'first', ...claimsOf(first) };
    const second = load(fileOf('second'));
    expect(() => reconcile(second, withClaims({ ...observed(), project: 'second' }, [claims]))).toThrow(
      /network front: bridge name stkbshared \(com\.docker\.network\.bridge\.name\) is being made by stack first.*choose another name/,
    );
  });
});
