// A ContainerSpec with docker's defaults for tests that never start it for real (the
// FakeHost's), with what a test cares about laid over it.

import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec } from '../../model/plan.js';

export function plainSpec(project: string, service: string, changes: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    ...defaultRuntimeOptions(),
    project,
    service,
    name: `${project}-${service}-1`,
    hostname: service,
    image: { ref: 'r', id: 'i', layers: [] },
    argv: ['sh'],
    env: [],
    cwd: '/',
    hosts: [],
    endpoints: [],
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    hash: 'h',
    ...changes,
  };
}
