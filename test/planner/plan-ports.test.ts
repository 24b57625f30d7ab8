// Host ports stack chooses in the plan: any free port of a host range with one container
// port (`5000-5010:80`), one to one for equal ranges, kept across applies, shared out among
// replicas, and a problem only when the whole range is taken.

import { describe, expect, it } from 'vitest';
import { loadStack } from '../../planner/load/load.js';
import { emptyObserved, type ForeignPort, type HostPort, type ImageInfo, type Observed } from '../../model/observed.js';
import { reconcile, type ReconcileOptions } from '../../planner/plan/reconcile.js';
import { planProblems as problemsOf } from './helpers.js';
import { publishedPorts } from '../../planner/plan/check-host-ports.js';
import type { PortRule } from '../../model/plan.js';

const image: ImageInfo = {
  ref: 'stack.local/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: [],
};

const service = (name: string, ports: string, more = '') => `  ${name}:
    image: stack.local/busybox:latest
    command: httpd -f -p 80
    ports: ${ports}
${more}`;

const load = (services: string) =>
  loadStack({
    files: [{ path: 'stack.yaml', text: `name: p\nservices:\n${services}` }],
    projectDir: '/work/p',
    env: {},
  });

function observed(extra: Partial<Observed> = {}): Observed {
  return { ...emptyObserved('p'), images: [image], takenSubnets: [], ...extra };
}

/** `container hostPort->containerPort` of every DNAT rule the plan applies. */
function rulesOf(services: string, o: Observed = observed(), opts: ReconcileOptions = {}): string[] {
  const nat = reconcile(load(services), o, opts).operations.find((op) => op.kind === 'nat.apply');
  return nat && nat.kind === 'nat.apply'
    ? nat.nat.ports.map((r) => `${r.container} ${r.hostPort}->${r.containerPort}`)
    : [];
}

const listener = (port: number, ip = '127.0.0.1'): HostPort => ({ protocol: 'tcp', ip, port, pid: 42, command: 'nc' });
const shop = (port: number): ForeignPort => ({ protocol: 'tcp', port, project: 'shop', service: 'front' });
/** The NAT record an earlier apply left, with the rules it chose. */
const earlier = (ports: Partial<PortRule>[]): Observed['nat'] => ({
  table: 'stk_p_x',
  hash: 'old',
  present: true,
  ports: ports.map((r) => ({
    service: 'web',
    container: 'p-web-1',
    protocol: 'tcp',
    hostPort: 0,
    containerIp: '10.123.1.2',
    containerPort: 80,
    ...r,
  })),
});

describe('a host range with one container port', () => {
  it('takes the first port of the range that no program and no other stack holds', () => {
    expect(rulesOf(service('web', '["5000-5010:80"]'))).toEqual(['p-web-1 5000->80']);
    expect(
      rulesOf(
        service('web', '["5000-5010:80"]'),
        observed({ hostPorts: [listener(5000)], foreignPorts: [shop(5001)] }),
      ),
    ).toEqual(['p-web-1 5002->80']);
  });

  it('a holder on another address does not take the port from an address of its own', () => {
    expect(rulesOf(service('web', '["127.0.0.2:5000-5010:80"]'), observed({ hostPorts: [listener(5000)] }))).toEqual([
      'p-web-1 5000->80',
    ]);
    expect(rulesOf(service('web', '["5000-5010:80/udp"]'), observed({ hostPorts: [listener(5000)] }))).toEqual([
      'p-web-1 5000->80',
    ]);
  });

  it('keeps the port an earlier apply chose while it is in the range and free', () => {
    const file = service('web', '["5000-5010:80"]');
    expect(rulesOf(file, observed({ nat: earlier([{ hostPort: 5003 }]) }))).toEqual(['p-web-1 5003->80']);
    // Taken meanwhile, or no longer in the range: the first free one again.
    expect(rulesOf(file, observed({ nat: earlier([{ hostPort: 5003 }]), hostPorts: [listener(5003)] }))).toEqual([
      'p-web-1 5000->80',
    ]);
    expect(rulesOf(file, observed({ nat: earlier([{ hostPort: 6000 }]) }))).toEqual(['p-web-1 5000->80']);
  });

  it("settles kept ports before choosing new ones: a new container never takes an existing one's", () => {
    const file = service('a', '["5000-5010:80"]') + service('b', '["5000-5010:80"]');
    const o = observed({ nat: earlier([{ service: 'b', container: 'p-b-1', hostPort: 5000 }]) });
    expect(rulesOf(file, o)).toEqual(['p-a-1 5001->80', 'p-b-1 5000->80']);
  });

  it('skips the fixed ports of this stack', () => {
    expect(rulesOf(service('a', '["5000-5010:80"]') + service('b', '["5000:80"]'))).toEqual([
      'p-a-1 5001->80',
      'p-b-1 5000->80',
    ]);
  });

  it('gives each replica its own port of the range', () => {
    expect(rulesOf(service('web', '["5000-5010:80"]', '    scale: 3\n'))).toEqual([
      'p-web-1 5000->80',
      'p-web-2 5001->80',
      'p-web-3 5002->80',
    ]);
    expect(problemsOf(() => reconcile(load(service('web', '["5000:80"]', '    scale: 2\n')), observed()))).toEqual([
      'service web: 2 replicas cannot share host port 5000/tcp; remove the host port from `ports:`, give a range (`8000-8009:80`) or run one replica',
    ]);
  });

  it('is a problem only when the whole range is taken, naming the holders', () => {
    const o = observed({ hostPorts: [listener(5000, '0.0.0.0')], foreignPorts: [shop(5001)] });
    expect(problemsOf(() => reconcile(load(service('web', '["5000-5001:80"]')), o))).toEqual([
      'service web: no free host port in 5000-5001/tcp for container port 80 (5000 taken by pid 42 (nc) on 0.0.0.0; 5001 published by stack shop (service front)); widen the range or free one of its ports',
    ]);
    const busy = observed({ hostPorts: [5000, 5001, 5002, 5003, 5004].map((p) => listener(p)) });
    expect(problemsOf(() => reconcile(load(service('web', '["127.0.0.1:5000-5004:80"]')), busy))).toEqual([
      'service web: no free host port in 127.0.0.1:5000-5004/tcp for container port 80 (5000 taken by pid 42 (nc) on 127.0.0.1; 5001 taken by pid 42 (nc) on 127.0.0.1; 5002 taken by pid 42 (nc) on 127.0.0.1; and 2 more); widen the range or free one of its ports',
    ]);
    expect(problemsOf(() => reconcile(load(service('web', '["5000-5001:80"]', '    scale: 3\n')), observed()))).toEqual(
      [
        'service web: no free host port in 5000-5001/tcp for container port 80 (5000 published by p-web-1 of this stack; 5001 published by p-web-2 of this stack); widen the range or free one of its ports',
      ],
    );
  });

  it('observe looks up the owners of every port of the range', () => {
    expect(publishedPorts(load(service('web', '["5000-5002:80", "8080:81"]')))).toEqual(
      [5000, 5001, 5002, 8080].map((port) => ({ protocol: 'tcp', port })),
    );
  });
});

describe('equal host and container ranges', () => {
  it('map one to one, each port fixed and checked like a single one', () => {
    expect(rulesOf(service('web', '["5000-5002:80-82"]'))).toEqual([
      'p-web-1 5000->80',
      'p-web-1 5001->81',
      'p-web-1 5002->82',
    ]);
    expect(
      problemsOf(() =>
        reconcile(load(service('web', '["5000-5002:80-82"]')), observed({ hostPorts: [listener(5001)] })),
      ),
    ).toEqual([
      'service web: host port 5001/tcp is taken by pid 42 (nc) on 127.0.0.1; choose another host port or stop that program',
    ]);
  });
});
