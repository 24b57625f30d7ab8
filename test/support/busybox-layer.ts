// A busybox rootfs written straight into a temporary STACK_ROOT's layer store, for host
// tests that make containers without importing an image: every applet, and users to switch to.

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec } from '../../model/plan.js';
import { paths } from '../../store/paths.js';

export const PASSWD =
  'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
export const GROUP = 'root:x:0:\napp:x:1000:\nstaff:x:50:app\nnobody:x:65534:\n';

/** Writes the layer (STACK_ROOT must already point at the test's folder); returns its digest. */
export function buildBusyboxLayer(): string {
  const hex = crypto.randomBytes(32).toString('hex');
  const dir = paths.layerDir(hex);
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/app', 'srv/data'])
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
  for (const a of applets) fs.symlinkSync('busybox', path.join(dir, 'bin', a));
  fs.writeFileSync(path.join(dir, 'etc/passwd'), PASSWD);
  fs.writeFileSync(path.join(dir, 'etc/group'), GROUP);
  fs.writeFileSync(path.join(dir, 'srv/data/from-image.txt'), 'image content\n');
  return `sha256:${hex}`;
}

/** A container spec on that layer with Docker's defaults. */
export function busyboxSpec(project: string, layer: string, name: string, argv: string[]): ContainerSpec {
  return {
    ...defaultRuntimeOptions(),
    project,
    service: 'app',
    name,
    hostname: name.slice(-20),
    image: { ref: 'busybox:test', id: layer, layers: [layer] },
    argv,
    env: ['PATH=/bin', 'FOO=bar'],
    cwd: '/',
    endpoints: [],
    hosts: [],
    stopSignal: 'SIGKILL',
    stopGraceSeconds: 0,
    hash: 'x',
  };
}
