// Shared inputs of the reconcile golden tests: the hello stack, a host with its image, and
// what the host looks like once a plan has been applied.

import { loadStack } from '../../planner/load/load.js';
import { emptyObserved, type ImageInfo, type Observed } from '../../model/observed.js';
import type { Plan } from '../../model/plan.js';
import { networkHash } from '../../model/hash.js';

export const image: ImageInfo = {
  ref: 'stack.local/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: ['PATH=/usr/bin:/bin'],
};

export const hello = `name: hello
services:
  web:
    image: stack.local/busybox:latest
    command: httpd -f -p 80 -h /www
    ports: ["8080:80"]
  client:
    image: stack.local/busybox:latest
    depends_on: [web]
    command: ["sh", "-c", "wget -qO- http://web/"]
`;

export function load(text: string) {
  return loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/work/hello', env: {} });
}

export function observed(extra: Partial<Observed> = {}): Observed {
  return { ...emptyObserved('hello'), images: [image], takenSubnets: ['192.0.2.0/24', '10.123.0.0/24'], ...extra };
}

/** What the host looks like after applying `plan` successfully. */
export function applied(plan: Plan, base: Observed): Observed {
  const next: Observed = { ...base, containers: [...base.containers], networks: [...base.networks] };
  for (const op of plan.operations) {
    if (op.kind === 'network.remove') next.networks = next.networks.filter((n) => n.key !== op.key);
    if (op.kind === 'network.create')
      next.networks.push({ ...op.network, hash: networkHash(op.network), linkPresent: true });
    if (op.kind === 'nat.apply')
      next.nat = { table: op.nat.table, hash: op.nat.hash, present: true, ports: op.nat.ports };
    if (op.kind === 'container.remove') next.containers = next.containers.filter((c) => c.name !== op.name);
    if (op.kind === 'container.start') {
      const c = op.container;
      next.containers.push({
        name: c.name,
        ...(c.displayName ? { displayName: c.displayName } : {}),
        service: c.service,
        replica: c.replica,
        hash: c.hash,
        running: true,
        pid: 100,
        stopSignal: c.stopSignal,
        stopGraceSeconds: c.stopGraceSeconds,
        endpoints: c.endpoints.map((e) => ({
          network: e.network,
          ip: e.ip,
          ...(e.ip6 ? { ip6: e.ip6 } : {}),
          hostVeth: e.hostVeth,
        })),
      });
    }
  }
  return next;
}
