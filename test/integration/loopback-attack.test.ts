// The attack of CVE-2020-8558 against stack: route_localnet=1 on a stack's bridge (which
// 127.0.0.1 publishing needs) lets a container with CAP_NET_RAW (docker's default set) send
// a hand-made frame to the gateway's MAC addressed to 127.0.0.1. Without a drop, that frame
// reaches services the host binds to loopback, and ports another stack publishes on
// 127.0.0.1 only (their DNAT matches before routing); a machine on the link can do the
// latter too. Each attack frame is followed by a control frame made the same way to an
// address the sender may reach: once the control has arrived, the attack frame, sent
// before it on the same path, would have too. All traffic stays on the host's loopback,
// the test's bridges and the test's own "outside" namespace.

import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeName } from '../../model/names.js';
import {
  freePort,
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  udpEchoService,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { makeOutsideHost, type OutsideHost } from '../support/outside-host.js';
import { newObjects, snapshotHostObjects } from '../support/host-objects.js';
import { INIT_STAGES, type InitStage } from '../support/init-stages.js';

/** A UDP socket of the test on ADDRESS:PORT that keeps every payload it receives. */
async function listen(address: string, port: number): Promise<{ got: string[]; close(): void }> {
  const socket = dgram.createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  return { got, close: () => socket.close() };
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!done()) throw new Error(`never happened: ${what}`);
}

let env: StackEnv;
let outside: OutsideHost | undefined;
const files: string[] = [];
let victimFile: string;
let bin: string;
let localPort: number;
let anyPort: number;
const before = snapshotHostObjects();

/** `stage`: the init and exec stages of the stack's containers (its supervisor's choice). */
function writeStack(name: string, project: string, services: string, stage: InitStage = 'native'): string {
  const file = path.join(env.root, `${name}.yaml`);
  fs.writeFileSync(file, `name: ${project}\nservices:\n${services}`);
  const vars = { ...env.env };
  if (stage === 'node') vars.STACK_INIT_STAGE = 'node';
  else delete vars.STACK_INIT_STAGE;
  const up = stack({ ...env, env: vars }, ['-f', file, 'up', '-d']);
  files.push(file);
  expect(up.code, up.stderr).toBe(0);
  return file;
}

/** What the victim stack's UDP server printed: one `got PAYLOAD` line per datagram. */
const victimLog = () => stack(env, ['-f', victimFile, 'logs', 'echo']).stdout;

/** Sends one hand-made frame from inside the attacker container (default capabilities) of `attackerFile`. */
function fromContainer(
  attackerFile: string,
  dstMac: string,
  dstIp: string,
  port: number,
  payload: string,
  srcIp?: string,
): void {
  const r = stack(env, [
    '-f',
    attackerFile,
    'exec',
    '-T',
    'attacker',
    '/probe/raw-udp',
    'eth0',
    dstMac,
    dstIp,
    String(port),
    payload,
    ...(srcIp ? [srcIp] : []),
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^sent \d+/);
}

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  bin = path.join(env.root, 'probe');
  fs.mkdirSync(bin);
  for (const name of ['raw-udp', 'udp-echo']) {
    execFileSync('gcc', [
      '-static',
      '-O1',
      '-o',
      path.join(bin, name),
      path.join(import.meta.dirname, `fixtures/${name}.c`),
    ]);
  }
  localPort = await freePort();
  anyPort = await freePort();
  // The victim: a UDP server published on 127.0.0.1 only, and on every address.
  victimFile = writeStack(
    'victim',
    uniqueProject('tlnv'),
    udpEchoService(bin, [`127.0.0.1:${localPort}:5353/udp`, `${anyPort}:5353/udp`]),
  );
  await until('the victim listens', () => victimLog().includes('listening'));
});

afterAll(() => {
  for (const file of files) stack(env, ['-f', file, 'down', '-t', '0']);
  outside?.dispose();
  env?.dispose();
});

describe('loopback addresses from a container or from the link (CVE-2020-8558)', () => {
  it.each(INIT_STAGES)(
    "a container's frame to 127.0.0.1 through the gateway MAC reaches no host loopback service and no other stack's 127.0.0.1 port (%s stages)",
    async (stage) => {
      const attackerProject = uniqueProject('tlna');
      const attackerFile = writeStack(
        `attacker-${stage}`,
        attackerProject,
        `  attacker:\n${sleeperService(`    volumes: ["${bin}:/probe:ro"]\n`)}`,
        stage,
      );
      const bridge = bridgeName(attackerProject, 'default');
      const gatewayMac = fs.readFileSync(`/sys/class/net/${bridge}/address`, 'utf8').trim();
      const gatewayIp = os.networkInterfaces()[bridge]!.find((a) => a.family === 'IPv4')!.address;
      const hostPort = await freePort();
      const loopback = await listen('127.0.0.1', hostPort);
      const gateway = await listen(gatewayIp, hostPort);
      try {
        fromContainer(attackerFile, gatewayMac, '127.0.0.1', hostPort, 'to host loopback');
        fromContainer(
          attackerFile,
          gatewayMac,
          '127.0.0.1',
          hostPort,
          'to host loopback, loopback source',
          '127.0.0.1',
        );
        fromContainer(attackerFile, gatewayMac, '127.0.0.1', localPort, "to the other stack's 127.0.0.1 port");
        // Controls: the same frames to the gateway's own address arrive (the frames are well
        // made), and so does one to the other stack's port published on every address.
        fromContainer(attackerFile, gatewayMac, 'gateway', hostPort, 'control');
        fromContainer(attackerFile, gatewayMac, 'gateway', anyPort, 'control to the other stack');
        await until('the control frame reaches the gateway address', () => gateway.got.includes('control'));
        await until(
          'the control frame reaches the other stack',
          () =>
            victimLog()
              .split('\n')
              .filter((l) => l.includes('got control to the other stack')).length >=
            INIT_STAGES.indexOf(stage) + 1,
        );
        expect(loopback.got).toEqual([]);
        expect(victimLog()).not.toContain('127.0.0.1 port');
      } finally {
        loopback.close();
        gateway.close();
      }
    },
  );

  it("a neighbour's frame to 127.0.0.1 through a container's MAC reaches none of its loopback services", async () => {
    // The container's namespace has route_localnet on, for 127.0.0.11 (fixed-resolver.ts):
    // without a guard, such a frame would be delivered to the neighbour's 0.0.0.0 socket.
    // Where br_netfilter is loaded (here), the host's own guard sees bridged frames too and
    // drops it first; the container's guard is what holds without br_netfilter.
    // The attacker's neighbour on the same bridge: a UDP server on every address of its own namespace.
    const attackerFile = writeStack(
      'attacker-neighbour',
      uniqueProject('tlnn'),
      `  attacker:\n${sleeperService(`    volumes: ["${bin}:/probe:ro"]\n`)}${udpEchoService(bin, [])}`,
    );
    const neighbourLog = () => stack(env, ['-f', attackerFile, 'logs', 'echo']).stdout;
    await until('the neighbour listens', () => neighbourLog().includes('listening'));
    const mac = stack(env, [
      '-f',
      attackerFile,
      'exec',
      '-T',
      'echo',
      'cat',
      '/sys/class/net/eth0/address',
    ]).stdout.trim();
    const ip = stack(env, ['-f', attackerFile, 'exec', '-T', 'echo', 'hostname', '-i']).stdout.trim().split(/\s+/)[0]!;
    expect(mac).toMatch(/^[0-9a-f:]{17}$/);
    fromContainer(attackerFile, mac, '127.0.0.1', 5353, 'to the neighbour loopback');
    fromContainer(attackerFile, mac, '127.0.0.1', 5353, 'to the neighbour loopback, loopback source', '127.0.0.1');
    fromContainer(attackerFile, mac, '127.0.0.11', 53, 'to the neighbour resolver address');
    fromContainer(attackerFile, mac, ip, 5353, 'control to the neighbour');
    await until('the control frame reaches the neighbour', () =>
      neighbourLog().includes('got control to the neighbour'),
    );
    expect(neighbourLog()).not.toContain('loopback');
  });

  it('a frame from a machine on the link addressed to 127.0.0.1 does not reach a port published on 127.0.0.1 only', async () => {
    outside = await makeOutsideHost();
    const raw = path.join(env.root, 'probe/raw-udp');
    const send = (dstIp: string, port: number, payload: string) => {
      const r = outside!.run([raw, outside!.ifname, outside!.hostMac, dstIp, String(port), payload]);
      expect(r.code).toBe(0);
    };
    send('127.0.0.1', localPort, 'from the link to 127.0.0.1');
    send(outside.hostIp, anyPort, 'control from the link');
    await until('the control frame from the link reaches the victim', () =>
      victimLog().includes('got control from the link'),
    );
    expect(victimLog()).not.toContain('from the link to 127.0.0.1');
  });

  it('127.0.0.1 publishing still works from the host, and down leaves nothing', async () => {
    const client = dgram.createSocket('udp4');
    const answer = new Promise<string>((resolve) => client.on('message', (m) => resolve(m.toString())));
    client.send('from the host', localPort, '127.0.0.1');
    expect(await answer).toBe('echo from the host');
    client.close();
    for (const file of files.splice(0)) expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    outside?.dispose();
    outside = undefined;
    expect(newObjects(before, snapshotHostObjects())).toEqual({});
  });
});
