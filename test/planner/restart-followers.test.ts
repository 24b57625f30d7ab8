// `stack restart X` also restarts what follows X: depends_on.X.restart: true and services
// in X's network namespace, transitively; nothing else.

import { describe, expect, it } from 'vitest';
import { restartFollowers } from '../../planner/plan/select-services.js';
import type { Service } from '../../model/types.js';

const service = (name: string, deps: [string, boolean][] = [], networkMode?: string) =>
  ({
    name,
    dependsOn: deps.map(([dep, restart]) => ({ service: dep, condition: 'service_started', required: true, restart })),
    ...(networkMode ? { networkMode } : {}),
  }) as unknown as Service;

describe('restartFollowers', () => {
  const services = [
    service('db'),
    service('api', [['db', true]]),
    service('worker', [['api', true]]),
    service('report', [['db', false]]),
    service('sidecar', [], 'service:api'),
    service('other'),
  ];

  it('adds the services that asked to follow, transitively, and the namespace sharers', () => {
    expect(restartFollowers({ services }, ['db']).sort()).toEqual(['api', 'db', 'sidecar', 'worker']);
  });

  it('leaves out dependents without restart: true and unrelated services', () => {
    expect(restartFollowers({ services }, ['other'])).toEqual(['other']);
    expect(restartFollowers({ services }, ['api']).sort()).toEqual(['api', 'sidecar', 'worker']);
  });
});
