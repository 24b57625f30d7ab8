// `--compatibility` (COMPOSE_COMPATIBILITY in the project's environment), as compose v2's:
// api.Separator becomes `_`, which changes the names compose gives (containers
// `project_service_1`, one-offs `project_service_run_<id>`, built images
// `project_service`). stack shows the name (ps, DNS) and keeps its host objects' keys.

import { expect, it } from 'vitest';
import { loadStack } from '../../planner/load/load.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { oneOffSpec } from '../../planner/plan/one-off.js';
import { applied, image, observed } from './reconcile-fixtures.js';

const file = `name: compat
services:
  web:
    image: stack.local/busybox:latest
    command: sleep 1000
    deploy: { replicas: 2 }
  named:
    image: stack.local/busybox:latest
    container_name: mine
`;

const load = (env: Record<string, string>, text = file) =>
  loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/work/compat', env });
const builtImage = (env: Record<string, string>) =>
  load(env, 'name: compat\nservices:\n  built:\n    build: .\n').services[0]!.image;

const started = (env: Record<string, string>) => {
  const stack = load(env);
  const plan = reconcile(stack, observed({ project: 'compat', images: [image] }), { services: ['web', 'named'] });
  return plan.operations.flatMap((op) => (op.kind === 'container.start' ? [op.container] : []));
};

it("names containers project_service_N, keeping the service's container_name and the host objects' keys", () => {
  const specs = started({ COMPOSE_COMPATIBILITY: 'true' });
  expect(specs.map((s) => [s.name, s.containerName]).sort()).toEqual([
    ['compat-named-1', 'mine'],
    ['compat-web-1', 'compat_web_1'],
    ['compat-web-2', 'compat_web_2'],
  ]);
  expect(builtImage({ COMPOSE_COMPATIBILITY: '1' })).toBe('compat_built');
});

it('without it (or with a false value) the names are as before', () => {
  for (const env of [{}, { COMPOSE_COMPATIBILITY: 'false' }] as Record<string, string>[]) {
    expect(started(env).find((s) => s.name === 'compat-web-1')!.containerName).toBeUndefined();
    expect(builtImage(env)).toBe('compat-built');
  }
});

it('names a one-off project_service_run_<id>', () => {
  const stack = load({ COMPOSE_COMPATIBILITY: 'true' });
  const base = observed({ project: 'compat', images: [image] });
  const seen = applied(reconcile(stack, base, { services: ['web'] }), base);
  const web = stack.services.find((s) => s.name === 'web')!;
  const spec = oneOffSpec('compat', web, image, seen, { command: [], env: {}, id: 'abc123', stack });
  expect(spec.containerName).toBe('compat_web_run_abc123');
});
