// Make-before-break without healthchecks, through a proxy: the failures a real
// nginx → app stack showed when a service was replaced. `front` (busybox httpd, published)
// answers each request with a CGI that fetches the page of `backend` by its service name,
// through the stack's DNS at 127.0.0.11 (docker's fixed resolver address). Neither has a healthcheck, and each takes a second after its
// start before it listens, as real servers do. A client requests the page through the
// published port back to back while they are replaced; not one request may fail, and no
// stack name may reach the upstream resolver (a fake one on loopback here).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-dns-upstream.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { getOnce, underLoad } from '../support/http-load.js';
import { killSupervisors, waitFor } from '../support/processes.js';
import {
  freePort,
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { inside, lookup, ps, tcpLookupAtFixedResolver } from '../support/stack-containers.js';

let env: StackEnv;
let upstream: FakeUpstream;
let file: string;
let project: string;
let port: number;
const before = snapshotHostObjects();

// The CGI answers with the backend's page, or fails (no header: httpd answers an error) when
// the fetch fails.
const CGI =
  '#!/bin/sh\nbody=$(wget -q -O- http://backend/) || exit 1\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$body"\n';
let cgiDir: string;

const stackFile = (backend: string, front = 'f1') => `name: ${project}
services:
  front:
    image: ${TEST_IMAGE}
    environment: { VERSION: ${front} }
    command: ["sh", "-c", "sleep 1; exec httpd -f -p 80 -h /srv"]
    volumes: ["${cgiDir}:/srv/cgi-bin:ro"]
    ports: ["127.0.0.1:${port}:80"]
    stop_grace_period: 0s
  backend:
    image: ${TEST_IMAGE}
    environment: { VERSION: ${backend} }
    command: ["sh", "-c", "mkdir -p /www; nslookup front > /www/front.txt 2>&1; echo $$VERSION > /www/index.html; sleep 1; exec httpd -f -p 80 -h /www"]
    expose: ["80"]
    stop_grace_period: 0s
`;

function apply(backend: string, front?: string) {
  fs.writeFileSync(file, stackFile(backend, front));
  return underLoad(env, ['-f', file, 'up', '-d'], port, '/cgi-bin/page');
}

const containerOf = (service: string) => ps(env, file).find((r) => r.service === service)!;

beforeAll(async () => {
  env = makeStackEnv();
  // Names the stack does not know go here; the stack's own names must never arrive.
  upstream = await startFakeUpstream({ tcp: 'answer', udp: 'truncate' });
  env.env.STACK_DNS_UPSTREAM = `${upstream.ip}:${upstream.port}`;
  importTestImage(env);
  project = uniqueProject('tprox');
  port = await freePort();
  file = path.join(env.root, 'stack.yaml');
  cgiDir = path.join(env.root, 'cgi-bin');
  fs.mkdirSync(cgiDir);
  fs.writeFileSync(path.join(cgiDir, 'page'), CGI, { mode: 0o755 });
  fs.writeFileSync(file, stackFile('v0'));
  const up = stack(env, ['-f', file, 'up', '-d', '--wait']);
  expect(up.code, up.stderr).toBe(0);
  // (`--wait` waits for front's port to accept connections; the retries are for the fault test
  // of the code before, where it did not.)
  expect(await waitFor(() => getOnce(port, '/cgi-bin/page').catch(() => undefined), 10_000, 'the first page')).toBe(
    'v0',
  );
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await killSupervisors(project);
  await upstream.close();
  env.dispose();
});

const failures = (answers: string[]) => answers.filter((a) => !/^v\d+$/.test(a));
const stackNamesAsked = () => upstream.asked.filter((q) => /front|backend/.test(q));

describe('the fixed resolver address', () => {
  it("resolv.conf names 127.0.0.11 as docker does, and it answers the stack's names there", () => {
    const front = containerOf('front');
    expect(inside(front.pid!, ['cat', '/etc/resolv.conf']).stdout).toMatch(/^nameserver 127\.0\.0\.11$/m);
    expect(lookup(front.pid!, 'backend')).toEqual([containerOf('backend').addresses[0]!.ip]);
    // Asked by address, as `resolver 127.0.0.11` in nginx does.
    expect(inside(front.pid!, ['nslookup', 'backend', '127.0.0.11']).stdout).toContain(
      containerOf('backend').addresses[0]!.ip,
    );
    // And over TCP (the retry of a truncated UDP answer).
    expect(tcpLookupAtFixedResolver(front.pid!, 'backend')).toEqual([containerOf('backend').addresses[0]!.ip]);
  });
});

describe('replacing services without healthchecks behind a published port', () => {
  it('the published front is replaced once its port accepts connections: no request fails', async () => {
    const { up, answers } = await apply('v0', 'f2');
    expect(up.code, up.stderr).toBe(0);
    expect(failures(answers)).toEqual([]);
    expect(answers.length).toBeGreaterThan(5);
  });

  it('the backend behind it is replaced 10 times under load: zero failed requests, no name leaked upstream', async () => {
    const failed: string[] = [];
    let requests = 0;
    for (let i = 1; i <= 10; i++) {
      const { up, answers } = await apply(`v${i}`, 'f2');
      expect(up.code, up.stderr).toBe(0);
      failed.push(...failures(answers).map((a) => `replacement ${i}: ${a}`));
      requests += answers.length;
      if (answers.at(-1) !== `v${i}`) failed.push(`replacement ${i}: the last answer is ${answers.at(-1)}`);
    }
    expect(failed).toEqual([]);
    expect(requests).toBeGreaterThan(50);
    // Every replacement looked `front` up while it started, and got the stack's answer.
    expect(inside(containerOf('backend').pid!, ['cat', '/www/front.txt']).stdout).toContain(
      containerOf('front').addresses[0]!.ip,
    );
    expect(stackNamesAsked()).toEqual([]);
  });

  it('down leaves nothing behind', () => {
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  });
});
