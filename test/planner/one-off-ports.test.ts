// The host ports of `stack run -p/-P` (planner/plan/one-off-ports.ts): a fixed port as
// written, the first free one without a host port; a port held by a program, the stack's
// own table or another one-off is an error that names the holder.

import { expect, it } from 'vitest';
import { oneOffSpec } from '../../planner/plan/one-off.js';
import { oneOffPorts } from '../../planner/plan/one-off-ports.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { parsePorts } from '../../planner/load/ports.js';
import type { Observed } from '../../model/observed.js';
import { applied, hello, image, load, observed } from './reconcile-fixtures.js';

const stack = load(hello);
const seen = applied(reconcile(stack, observed()), observed());
const spec = oneOffSpec('hello', stack.services[0]!, image, seen, { command: [], env: {}, id: 'abc' });
const mappings = (...texts: string[]) =>
  texts.flatMap((t) => {
    const parsed = parsePorts(t);
    return parsed.ok ? parsed.ports : [];
  });
const choose = (o: Observed, ...texts: string[]) => oneOffPorts(spec, mappings(...texts), o);

it('takes a fixed port as written and chooses a free ephemeral one without a host port', () => {
  const rules = choose(seen, '127.0.0.1:9000:80', '80/udp');
  expect(rules[0]).toMatchObject({ hostIp: '127.0.0.1', hostPort: 9000, containerPort: 80, protocol: 'tcp' });
  expect(rules[0]!.containerIp).toBe(spec.endpoints[0]!.ip);
  expect(rules[1]).toMatchObject({ hostPort: 32768, protocol: 'udp' });
});

it("names the holder: the stack's own published port, another one-off, a program", () => {
  expect(() => choose(seen, '8080:80')).toThrow(/8080\/tcp is published by service web of this stack \(hello-web-1\)/);
  const withOneOff: Observed = {
    ...seen,
    foreignPorts: [{ protocol: 'tcp', port: 9000, project: 'other', service: 'db', oneOff: 'other-db-run-1' }],
  };
  expect(() => choose(withOneOff, '9000:80')).toThrow(/published by one-off other-db-run-1 of stack other/);
  const withProgram: Observed = { ...seen, hostPorts: [{ protocol: 'tcp', port: 9001, ip: '0.0.0.0', pid: 42 }] };
  expect(() => choose(withProgram, '127.0.0.1:9001:80')).toThrow(/taken by pid 42/);
  // A range goes on past what is taken.
  expect(choose(withProgram, '9001-9002:80')[0]!.hostPort).toBe(9002);
});
