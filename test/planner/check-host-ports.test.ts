// reconcile() refuses to publish a host port a host program already holds (the DNAT rule
// would shadow it) or another stack already publishes (two DNAT rules would fight): one
// problem per clash, listed with every other plan problem.

import { describe, expect, it } from 'vitest';
import { loadStack } from '../../planner/load/load.js';
import { emptyObserved, type ForeignPort, type HostPort, type ImageInfo, type Observed } from '../../model/observed.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { planProblems as problemsOf } from './helpers.js';
import { publishedPorts } from '../../planner/plan/check-host-ports.js';

const image: ImageInfo = {
  ref: 'stack.local/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: [],
};

function load(ports: string, more = '') {
  const text = `name: hello
services:
  web:
    image: stack.local/busybox:latest
    command: httpd -f -p 80
    ports: ${ports}
${more}`;
  return loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/work/hello', env: {} });
}

function observed(hostPorts: HostPort[], extra: Partial<Observed> = {}): Observed {
  return { ...emptyObserved('hello'), images: [image], takenSubnets: [], hostPorts, ...extra };
}

const nginx: HostPort = { protocol: 'tcp', ip: '0.0.0.0', port: 8080, pid: 4321, command: 'nginx' };

describe('host ports taken by other programs', () => {
  it('a listener on 0.0.0.0 clashes with a published port: names the port, pid, command, address and fix', () => {
    expect(problemsOf(() => reconcile(load('["8080:80"]'), observed([nginx])))).toEqual([
      'service web: host port 8080/tcp is taken by pid 4321 (nginx) on 0.0.0.0; choose another host port or stop that program',
    ]);
  });

  it('a wildcard on either side clashes; two specific addresses only when equal', () => {
    const at = (ip: string): HostPort => ({ ...nginx, ip });
    const clash = (ports: string, l: HostPort) => problemsOf(() => reconcile(load(ports), observed([l]))).length > 0;
    expect(clash('["127.0.0.1:8080:80"]', at('0.0.0.0'))).toBe(true);
    expect(clash('["127.0.0.1:8080:80"]', at('::'))).toBe(true);
    expect(clash('["8080:80"]', at('127.0.0.1'))).toBe(true);
    expect(clash('["8080:80"]', at('::1'))).toBe(true);
    expect(clash('["127.0.0.1:8080:80"]', at('127.0.0.1'))).toBe(true);
    expect(clash('["127.0.0.1:8080:80"]', at('::ffff:127.0.0.1'))).toBe(true);
    expect(clash('["127.0.0.2:8080:80"]', at('127.0.0.1'))).toBe(false);
    expect(clash('["8081:80"]', at('0.0.0.0'))).toBe(false);
  });

  it('tcp and udp on the same number do not clash', () => {
    expect(problemsOf(() => reconcile(load('["8080:80/udp"]'), observed([nginx])))).toEqual([]);
    const dns: HostPort = { protocol: 'udp', ip: '127.0.0.1', port: 5353 };
    expect(problemsOf(() => reconcile(load('["5353:53"]'), observed([dns])))).toEqual([]);
    expect(problemsOf(() => reconcile(load('["127.0.0.1:5353:53/udp"]'), observed([dns])))).toEqual([
      'service web: host port 127.0.0.1:5353/udp is taken by another program on 127.0.0.1; choose another host port or stop that program',
    ]);
  });

  it('a pid without a command, and a known owner preferred over an unknown one', () => {
    const p = problemsOf(() =>
      reconcile(
        load('["8080:80"]'),
        observed([
          { protocol: 'tcp', ip: '::', port: 8080 },
          { protocol: 'tcp', ip: '0.0.0.0', port: 8080, pid: 77 },
        ]),
      ),
    );
    expect(p).toEqual([
      'service web: host port 8080/tcp is taken by pid 77 on 0.0.0.0; choose another host port or stop that program',
    ]);
  });

  it('every clash is listed together with the other plan problems', () => {
    const stack = load(
      '["8080:80", "9090:90", "8081:81"]',
      `  db:
    image: stack.local/missing:1
    ports: ["5432:5432"]
`,
    );
    const hostPorts: HostPort[] = [
      nginx,
      { ...nginx, port: 9090, pid: 10, command: 'python3' },
      { ...nginx, port: 5432, pid: 11, command: 'postgres' },
    ];
    expect(problemsOf(() => reconcile(stack, observed(hostPorts)))).toEqual([
      expect.stringMatching(/^service db: image stack.local\/missing:1 is not in the local store/),
      'service db: host port 5432/tcp is taken by pid 11 (postgres) on 0.0.0.0; choose another host port or stop that program',
      'service web: host port 8080/tcp is taken by pid 4321 (nginx) on 0.0.0.0; choose another host port or stop that program',
      'service web: host port 9090/tcp is taken by pid 10 (python3) on 0.0.0.0; choose another host port or stop that program',
    ]);
  });

  it('ports the container picks (no host port) never clash; publishedPorts lists what observe must resolve', () => {
    const stack = load('["80", "8080:80", "8080:80/udp"]');
    expect(problemsOf(() => reconcile(stack, observed([{ ...nginx, port: 80 }])))).toEqual([]);
    expect(publishedPorts(stack)).toEqual([
      { protocol: 'tcp', port: 8080 },
      { protocol: 'udp', port: 8080 },
    ]);
  });
});

describe('host ports other stacks publish', () => {
  const shop: ForeignPort = { protocol: 'tcp', port: 8080, project: 'shop', service: 'front' };

  it('names the other stack and its service, and the fix', () => {
    expect(problemsOf(() => reconcile(load('["8080:80"]'), observed([], { foreignPorts: [shop] })))).toEqual([
      'service web: host port 8080/tcp is published by stack shop (service front); choose another host port or stop stack shop',
    ]);
  });

  it('addresses meet as for programs: a wildcard on either side, or the same address', () => {
    const clash = (ports: string, hostIp?: string) =>
      problemsOf(() =>
        reconcile(load(ports), observed([], { foreignPorts: [{ ...shop, ...(hostIp ? { hostIp } : {}) }] })),
      );
    expect(clash('["127.0.0.1:8080:80"]')).toHaveLength(1);
    expect(clash('["8080:80"]', '127.0.0.1')).toEqual([
      'service web: host port 8080/tcp is published by stack shop (service front) on 127.0.0.1; choose another host port or stop stack shop',
    ]);
    expect(clash('["127.0.0.1:8080:80"]', '127.0.0.1')).toHaveLength(1);
    expect(clash('["127.0.0.2:8080:80"]', '127.0.0.1')).toEqual([]);
    expect(clash('["8080:80/udp"]')).toEqual([]);
    expect(clash('["8081:80"]')).toEqual([]);
  });

  it('a program holding the port is named before the stack', () => {
    expect(problemsOf(() => reconcile(load('["8080:80"]'), observed([nginx], { foreignPorts: [shop] })))).toEqual([
      'service web: host port 8080/tcp is taken by pid 4321 (nginx) on 0.0.0.0; choose another host port or stop that program',
    ]);
  });
});
