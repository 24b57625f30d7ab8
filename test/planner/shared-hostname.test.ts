// A service in another's network namespace (`network_mode: service:X`) takes X's hostname,
// as docker gives `--network container:X` the hostname of X.

import { describe, expect, it } from 'vitest';
import { reconcile } from '../../planner/plan/reconcile.js';
import { load, observed } from './reconcile-fixtures.js';

const text = (webExtra = '') => `name: hello
services:
  web:
    image: stack.local/busybox:latest
    command: httpd -f -p 80 -h /www
${webExtra}  sidecar:
    image: stack.local/busybox:latest
    network_mode: service:web
    command: ["sleep", "1000"]
`;

const hostnameOf = (yaml: string, service: string) => {
  const op = reconcile(load(yaml), observed()).operations.find(
    (o) => o.kind === 'container.start' && o.container.service === service,
  );
  return op?.kind === 'container.start' ? op.container.hostname : undefined;
};

describe('hostname of a service sharing a network namespace', () => {
  it("is the namespace owner's service name, or its hostname when it has one", () => {
    expect(hostnameOf(text(), 'sidecar')).toBe('web');
    expect(hostnameOf(text('    hostname: front\n'), 'sidecar')).toBe('front');
    expect(hostnameOf(text('    hostname: front\n'), 'web')).toBe('front');
  });
});
