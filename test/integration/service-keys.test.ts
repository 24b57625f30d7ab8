// Service keys of issue 18 proved from inside the containers, with each init stage:
// `domainname` is the NIS domain of the container's UTS namespace and the first name of
// its /etc/hosts line (`IP hostname.domainname hostname …`, as docker writes it);
// `stdin_open` keeps the command's stdin open (no EOF: `cat` keeps reading and echoes what
// is written to it), where without it a reader of stdin gets EOF at once, as with docker;
// `mac_address` (of the service, or of one of its networks) is its interface's address;
// `annotations` are kept on the container and shown with its labels.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { inside, ps, type PsRow } from '../support/stack-containers.js';
import { killSupervisors, waitFor } from '../support/processes.js';
import { INIT_STAGES } from '../support/init-stages.js';

describe.each(INIT_STAGES)('with the %s init stage', (stage) => {
  let env: StackEnv;
  let project: string;
  let file: string;
  let rows: PsRow[] = [];
  const row = (service: string) => rows.find((r) => r.service === service)!;
  /** What the service's container printed, without the `service | ` prefixes. */
  const logs = (service: string) => stack(env, ['-f', file, 'logs', service]).stdout.replace(/^[^|]*\| ?/gm, '');
  const reader = (extra: string) =>
    `    image: ${TEST_IMAGE}\n    command: ["sh", "-c", "echo reading; cat; echo got-eof; exec sleep 1000"]\n    stop_grace_period: 0s\n${extra}`;

  beforeAll(() => {
    env = makeStackEnv();
    if (stage === 'node') env.env.STACK_INIT_STAGE = 'node';
    else delete env.env.STACK_INIT_STAGE;
    importTestImage(env);
    project = uniqueProject('tsvkeys');
    file = path.join(env.root, 'stack.yaml');
    fs.writeFileSync(
      file,
      `name: ${project}
services:
  dom:
${sleeperService('    hostname: box\n    domainname: example.test\n')}  open:
${reader('    stdin_open: true\n')}  closed:
${reader('')}  mac:
${sleeperService('    mac_address: 02:00:5e:aa:bb:01\n    labels: {team: web}\n    annotations: [com.example.audit=on]\n')}  macnet:
${sleeperService('    networks:\n      default:\n        mac_address: 02:00:5E:AA:BB:02\n')}`,
    );
    const up = stack(env, ['-f', file, 'up', '-d']);
    if (up.code !== 0) throw new Error(up.stderr);
    rows = ps(env, file);
  });

  afterAll(async () => {
    stack(env, ['-f', file, 'down', '-t', '0']);
    await killSupervisors(project);
    env.dispose();
  });

  it('domainname is the NIS domain of the container', () => {
    expect(inside(row('dom').pid, ['cat', '/proc/sys/kernel/domainname']).stdout.trim()).toBe('example.test');
    expect(inside(row('dom').pid, ['hostname']).stdout.trim()).toBe('box');
  });

  it("domainname makes the first name of the container's /etc/hosts line the full one", () => {
    const hosts = inside(row('dom').pid, ['cat', '/etc/hosts']).stdout;
    const ip = row('dom').addresses[0]!.ip;
    expect(hosts).toMatch(new RegExp(`^${ip.replaceAll('.', '\\.')}\\tbox\\.example\\.test box `, 'm'));
  });

  it.each([
    ['mac', 'the service-level mac_address', '02:00:5e:aa:bb:01'],
    ['macnet', "a network's mac_address", '02:00:5e:aa:bb:02'],
  ])('%s: %s is the address of its interface', (service, _what, mac) => {
    expect(inside(row(service).pid, ['cat', '/sys/class/net/eth0/address']).stdout.trim()).toBe(mac);
  });

  it('annotations are kept on the container, beside its labels, in ps --format json', () => {
    expect(row('mac').labels).toStrictEqual({ team: 'web' });
    expect(row('mac').annotations).toStrictEqual({ 'com.example.audit': 'on' });
    expect(row('dom').annotations).toBeUndefined();
  });

  it('without stdin_open a command reading stdin gets EOF at once', async () => {
    await waitFor(() => logs('closed').includes('got-eof'));
    expect(logs('closed').split('\n').filter(Boolean)).toEqual(['reading', 'got-eof']);
  });

  it('with stdin_open its stdin stays open: cat keeps reading, and reads what is written to it', async () => {
    await waitFor(() => logs('open').includes('reading'));
    const fifo = path.join(env.env.STACK_ROOT!, 'stacks', project, 'containers', row('open').instance, 'stdin');
    fs.writeFileSync(fifo, 'hello\n');
    await waitFor(() => logs('open').includes('hello'));
    // cat echoed what came after its start: it had not seen an EOF, and has not now.
    expect(logs('open').split('\n').filter(Boolean)).toEqual(['reading', 'hello']);
    expect(ps(env, file).find((r) => r.service === 'open')?.state).toBe('running');
  });
});
