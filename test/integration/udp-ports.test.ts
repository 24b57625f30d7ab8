// Published UDP ports end to end: a container running a UDP echo server publishes it on
// 127.0.0.1 only and on every host address; a datagram to each is answered from the
// host itself, and from a namespace playing a remote client (the 127.0.0.1-only one not).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  importTestImage,
  makeStackEnv,
  stack,
  udpEchoService,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { makeOutsideHost, type OutsideHost } from '../support/outside-host.js';
import { newObjects, snapshotHostObjects } from '../support/host-objects.js';
import { psJson } from '../support/ps-json.js';

/** Sends "ping" to HOST:PORT over UDP and prints the answer (nothing after 1.5 s). */
const CLIENT = `
const s = require('node:dgram').createSocket('udp4');
const [host, port] = process.argv.slice(-2);
const timer = setTimeout(() => { s.close(); }, 1500);
s.on('message', (m) => { process.stdout.write(m.toString()); clearTimeout(timer); s.close(); });
s.send('ping', Number(port), host);
`;

let env: StackEnv;
let outside: OutsideHost;
let file: string;
let localPort: number;
let anyPort: number;
let client: string;
const before = snapshotHostObjects();

const ask = (host: string, port: number, inOutside = false): string => {
  const args = [process.execPath, client, host, String(port)];
  if (inOutside) return outside.run(args).stdout;
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 });
};

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  outside = await makeOutsideHost();
  const bin = path.join(env.root, 'probe');
  fs.mkdirSync(bin);
  execFileSync('gcc', [
    '-static',
    '-O1',
    '-o',
    path.join(bin, 'udp-echo'),
    path.join(import.meta.dirname, 'fixtures/udp-echo.c'),
  ]);
  client = path.join(env.root, 'udp-client.cjs');
  fs.writeFileSync(client, CLIENT);
  localPort = await freePort();
  anyPort = await freePort();
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: ${uniqueProject('tudp')}
services:
${udpEchoService(bin, [`127.0.0.1:${localPort}:5353/udp`, `${anyPort}:5353/udp`])}`,
  );
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  // The server is up once its first line is in the log.
  for (let i = 0; i < 100 && !stack(env, ['-f', file, 'logs', 'echo']).stdout.includes('listening'); i++)
    await new Promise((r) => setTimeout(r, 50));
});

afterAll(() => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  outside?.dispose();
  env?.dispose();
});

describe('published UDP ports', () => {
  it('answer on 127.0.0.1 and on the host address, both the 127.0.0.1-only and the any-address one', () => {
    expect(ask('127.0.0.1', localPort)).toBe('echo ping');
    expect(ask('127.0.0.1', anyPort)).toBe('echo ping');
    expect(ask(outside.hostIp, anyPort)).toBe('echo ping');
  });

  it('answer a remote client on the any-address port only', () => {
    expect(ask(outside.hostIp, anyPort, true)).toBe('echo ping');
    expect(ask(outside.hostIp, localPort, true)).toBe('');
  });

  it('are listed with their protocol, and down leaves nothing', () => {
    const rows = psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as { ports: string[] }[];
    expect(rows[0]!.ports.sort()).toEqual([`0.0.0.0:${anyPort}->5353/udp`, `127.0.0.1:${localPort}->5353/udp`].sort());
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    file = '';
    outside.dispose();
    outside = undefined as unknown as OutsideHost;
    expect(newObjects(before, snapshotHostObjects())).toEqual({});
  });
});
