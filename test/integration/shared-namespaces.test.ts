// pid, ipc, uts, cgroup and volumes_from (issue 18) proved from inside the containers of one
// stack, against both init stages: a service in `pid: service:owner` sees the owner's
// process in `ps`, one in `pid: host` sees this test's own process; `ipc: service:owner`
// shares the owner's /dev/shm (a file the owner wrote there), `ipc: host` the host's,
// `ipc: none` has no /dev/shm;
// `uts: host` shows the host's hostname; `cgroup: host` sees its cgroup by its host path;
// `volumes_from` sees the owner's volume data, read-only with :ro (a write fails) and
// writable without; a `links` alias resolves to the linked service's container.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  stack,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { natTableName } from '../../model/names.js';
import { inside, lookup, ps, type PsRow } from '../support/stack-containers.js';
import { waitFor } from '../support/processes.js';
import { INIT_STAGES } from '../support/init-stages.js';

describe.each(INIT_STAGES)('shared namespaces, %s init stage', (stage) => {
  let env: StackEnv;
  let project: string;
  let file: string;
  let rows: PsRow[] = [];
  const before = snapshotHostObjects();
  const pid = (service: string) => rows.find((r) => r.service === service)!.pid;
  const run = (service: string, script: string) => inside(pid(service), ['sh', '-c', script]);

  beforeAll(() => {
    env = makeStackEnv();
    if (stage === 'node') env.env.STACK_INIT_STAGE = 'node';
    else delete env.env.STACK_INIT_STAGE;
    importTestImage(env);
    project = uniqueProject('tns');
    file = writeStackFile(
      env,
      project,
      `  owner:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo owned > /data/from-owner; echo shm-of-owner > /dev/shm/stk-marker; exec sleep 1001"]
    stop_grace_period: 0s
    volumes: ["data:/data"]
  pidjoin:
${sleeper('    pid: service:owner\n')}  ipcjoin:
${sleeper('    ipc: service:owner\n')}  ipcnone:
${sleeper('    ipc: none\n')}  hostns:
${sleeper('    pid: host\n    ipc: host\n    uts: host\n    cgroup: host\n')}  reader:
${sleeper('    volumes_from: ["owner:ro"]\n')}  writer:
${sleeper('    volumes_from: [owner]\n')}  linker:
${sleeper('    links: ["owner:database"]\n')}volumes:\n  data: {}\n`,
    );
    const up = stack(env, ['-f', file, 'up', '-d']);
    if (up.code !== 0) throw new Error(up.stderr);
    rows = ps(env, file);
  });

  afterAll(() => {
    stack(env, ['-f', file, 'down', '-v', '-t', '0']);
    env.dispose();
  });

  it("pid: service:X shows X's process in ps; the container's own is not PID 1", async () => {
    await waitFor(() => run('pidjoin', 'ps').stdout.includes('sleep 1001'));
    expect(run('pidjoin', 'ps').stdout).toContain('sleep 1001');
    // Its own process sits beside the owner's PID 1 in the owner's namespace.
    expect(run('pidjoin', 'cat /proc/1/cmdline | tr "\\0" " "').stdout).toContain('sleep 1001');
    expect(run('ipcjoin', 'ps').stdout).not.toContain('sleep 1001');
  });

  it("pid: host shows the host's processes (this test's own)", () => {
    expect(run('hostns', `cat /proc/${process.pid}/status`).stdout).toMatch(/^Name:/m);
    expect(run('pidjoin', `test -e /proc/${process.pid}/status || echo absent`).stdout).toContain('absent');
  });

  it("ipc: service:X shares X's /dev/shm; ipc: none has none", async () => {
    await waitFor(() => run('owner', 'cat /dev/shm/stk-marker').code === 0);
    expect(run('ipcjoin', 'cat /dev/shm/stk-marker').stdout.trim()).toBe('shm-of-owner');
    expect(run('ipcjoin', 'readlink /proc/self/ns/ipc').stdout).toBe(run('owner', 'readlink /proc/self/ns/ipc').stdout);
    expect(run('pidjoin', 'cat /dev/shm/stk-marker').code).not.toBe(0);
    expect(run('ipcnone', 'grep " /dev/shm " /proc/mounts || echo none').stdout.trim()).toBe('none');
  });

  it("ipc: host shares the host's ipc namespace and /dev/shm", () => {
    const marker = `/dev/shm/stk-${project}`;
    fs.writeFileSync(marker, 'from-host\n');
    try {
      expect(run('hostns', `cat ${marker}`).stdout.trim()).toBe('from-host');
      expect(run('hostns', 'readlink /proc/self/ns/ipc').stdout.trim()).toBe(fs.readlinkSync('/proc/self/ns/ipc'));
    } finally {
      fs.rmSync(marker, { force: true });
    }
  });

  it("uts: host shows the host's hostname; the others their service name", () => {
    expect(run('hostns', 'hostname').stdout.trim()).toBe(os.hostname());
    expect(run('pidjoin', 'hostname').stdout.trim()).toBe('pidjoin');
  });

  it('cgroup: host sees its cgroup by its host path; a private namespace sees /', () => {
    // The command's /proc/PID/cgroup as seen from its own cgroup namespace (nsenter -C; the
    // process nsenter starts is in no group of the container); the memory hierarchy on
    // cgroup v1, the one hierarchy on v2: a group stack placed it in.
    const memoryLine = (service: string) =>
      spawnSync('nsenter', ['-t', String(pid(service)), '-C', 'cat', `/proc/${pid(service)}/cgroup`], {
        encoding: 'utf8',
      })
        .stdout.split('\n')
        .find((l) => /:memory:|^0::/.test(l))!;
    expect(memoryLine('pidjoin')).toMatch(/:\/$/);
    expect(memoryLine('hostns')).toContain(`${project}-hostns-1`);
  });

  it("volumes_from sees X's volume data; :ro refuses a write, the default allows it", async () => {
    await waitFor(() => run('reader', 'cat /data/from-owner').code === 0);
    expect(run('reader', 'cat /data/from-owner').stdout.trim()).toBe('owned');
    const refused = run('reader', 'echo x > /data/by-reader');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/Read-only file system/);
    expect(run('writer', 'echo by-writer > /data/by-writer').code).toBe(0);
    expect(run('owner', 'cat /data/by-writer').stdout.trim()).toBe('by-writer');
  });

  // Only the linking container asks: another would forward the unknown name to the host's resolver.
  it("a links alias resolves, in the linking container, to the linked service's container", () => {
    const owner = rows.find((r) => r.service === 'owner')!;
    expect(lookup(pid('linker'), 'database')).toStrictEqual([owner.addresses[0]!.ip]);
    expect(run('linker', 'cat /etc/hosts').stdout).toContain(`${owner.addresses[0]!.ip}\tdatabase owner`);
  });

  it('down leaves nothing of the stack behind', () => {
    expect(stack(env, ['-f', file, 'down', '-v', '-t', '0']).code).toBe(0);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, natTableName(project)])).toEqual({});
  });
});
