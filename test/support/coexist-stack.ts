// The small stack of the coexistence tests (next to dockerd, next to a firewall), run inside
// a namespace that plays the host (netns-host.ts), and what it must still be able to do:
// reach another service by name over TCP, resolve service names at the stack's DNS server
// on the gateway, leave for an outside namespace with the host's address, and answer on its
// published ports from 127.0.0.1 and from outside.

import fs from 'node:fs';
import path from 'node:path';
import type { NetnsHost } from './netns-host.js';
import type { OutsideHost } from './outside-host.js';
import {
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  uniqueProject,
  webService,
  type Result,
  type StackEnv,
} from './stack-cli.js';
import { inside, lookup, ps, type PsRow } from './stack-containers.js';

export interface CoexistStack {
  env: StackEnv;
  project: string;
  file: string;
  /** Published on 127.0.0.1 only, and on every address. */
  localPort: number;
  anyPort: number;
  up(): { code: number; stderr: string };
  down(): { code: number; stderr: string };
  rows(): PsRow[];
  dispose(): void;
}

/**
 * `ports`: where web is published (127.0.0.1 only, every address); the namespace is a fresh
 * host, so fixed ones are free. `ipForwardDir`: the ip_forward bookkeeping, shared by every
 * stack of one namespace (each stack's own would let the first `down` turn it off under the
 * others).
 */
export function makeCoexistStack(
  host: NetnsHost,
  outside: OutsideHost,
  { ports = [18080, 18081], ipForwardDir }: { ports?: [number, number]; ipForwardDir?: string } = {},
): CoexistStack {
  const env = makeStackEnv();
  env.wrap = host.wrap;
  // Names the stack does not know would go to the fake upstream; forwarding's bookkeeping
  // stays with this namespace's own ip_forward, not the real host's.
  env.env.STACK_DNS_UPSTREAM = outside.ip;
  env.env.STACK_IP_FORWARD_DIR = ipForwardDir ?? path.join(env.root, 'ip-forward');
  importTestImage(env);
  const project = uniqueProject('tcox');
  const [localPort, anyPort] = ports;
  const file = path.join(env.root, 'stack.yaml');
  // A failed command's message points at the supervisor's log, which goes with the test's folder.
  const withLog = (r: Result) => {
    const log = path.join(env.env.STACK_ROOT!, 'stacks', project, 'supervisor.log');
    return r.code === 0 || !fs.existsSync(log)
      ? r
      : {
          ...r,
          stderr: `${r.stderr}\nsupervisor.log:\n${fs.readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}`,
        };
  };
  fs.writeFileSync(
    file,
    `name: ${project}\nservices:\n${webService([`127.0.0.1:${localPort}:80`, `${anyPort}:80`], '    stop_grace_period: 0s\n')}  client:\n${sleeperService()}`,
  );
  return {
    env,
    project,
    file,
    localPort,
    anyPort,
    up: () => withLog(stack(env, ['-f', file, 'up', '-d'])),
    down: () => withLog(stack(env, ['-f', file, 'down', '-t', '0'])),
    rows: () => ps(env, file),
    dispose: () => {
      stack(env, ['-f', file, 'down', '-t', '0']);
      env.dispose();
    },
  };
}

// busybox wget's own -T crashes (static build); busybox timeout bounds it instead.
const wgetArgs = (url: string) => ['timeout', '3', 'wget', '-q', '-O-', url];

/** Each thing the stack must be able to do, with what it got (for a readable failure). */
export function stackReach(s: CoexistStack, host: NetnsHost, outside: OutsideHost): Record<string, string> {
  const rows = s.rows();
  const pid = (service: string) => rows.find((r) => r.service === service)!.pid;
  const webIp = rows.find((r) => r.service === 'web')!.addresses[0]!.ip;
  const client = pid('client');
  return {
    'web by name over TCP': inside(client, wgetArgs('http://web/')).stdout.trim(),
    'DNS of web at the gateway':
      lookup(client, 'web').join() === webIp
        ? 'web resolves'
        : `web resolves to [${lookup(client, 'web').join()}], not ${webIp}`,
    egress: inside(client, wgetArgs(`http://${outside.ip}:${outside.httpPort}/`)).stdout.trim(),
    'published port on 127.0.0.1': host.run(['busybox', ...wgetArgs(`http://127.0.0.1:${s.localPort}/`)]).stdout.trim(),
    'published port from outside': outside
      .run(['busybox', ...wgetArgs(`http://${outside.hostIp}:${s.anyPort}/`)])
      .stdout.trim(),
  };
}

/** What stackReach gives when everything works. */
export function stackReachOk(outside: OutsideHost): Record<string, string> {
  const page = 'hello from stack';
  return {
    'web by name over TCP': page,
    'DNS of web at the gateway': 'web resolves',
    egress: `you are ${outside.hostIp}`,
    'published port on 127.0.0.1': page,
    'published port from outside': page,
  };
}
