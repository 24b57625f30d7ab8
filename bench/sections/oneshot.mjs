// Section 1: one-shot container start — `/bin/true`, no network, the busybox image — with
// stack, runc, crun, `podman run --rm` and `docker run --rm`, timed the same way
// (wall time of the command, spawnSync).

import fs from 'node:fs';
import path from 'node:path';
import { IMAGE, unpackRootfs } from '../lib/images.mjs';
import { quiet, timed } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';
import { dockerCli } from '../lib/docker-daemon.mjs';

const M = 'one-shot container (/bin/true, no network)';
const timeRuns = path.join(path.dirname(new URL(import.meta.url).pathname), '../lib/time-runs.mjs');

function runBundle(ctx) {
  const bundle = path.join(ctx.root, 'bundle');
  if (fs.existsSync(path.join(bundle, 'config.json'))) return bundle;
  unpackRootfs(ctx.layout, path.join(bundle, 'rootfs'));
  timed('runc', ['spec', '--bundle', bundle]);
  const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  config.process.args = ['/bin/true'];
  config.process.terminal = false;
  config.root = { path: 'rootfs', readonly: true };
  config.hostname = 'stkbench';
  config.linux.cgroupsPath = '/stkbench/oneshot';
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return bundle;
}

function samplesFrom(cmdPrefix, runs, cmd, args) {
  const r = timed(cmdPrefix[0] ?? process.execPath, [...cmdPrefix.slice(1), timeRuns, String(runs), ...(cmd.opts ?? []), '--', ...args], {});
  return JSON.parse(r.stdout);
}

export async function oneshot(ctx) {
  const runs = ctx.runs.oneshot;
  const rows = [];
  const row = (tool, fn) => {
    if (!fn) return rows.push({ measurement: M, tool, absent: true });
    try {
      rows.push({ measurement: M, tool, unit: 'ms', stats: summary(fn()) });
    } catch (e) {
      rows.push({ measurement: M, tool, error: e.message });
    }
  };
  row('stack', () => {
    const s = [];
    for (let i = 0; i < runs; i++) s.push(timed(process.execPath, [ctx.stackBin, 'run', '--rm', '--image', IMAGE, '--network', 'none', '--', '/bin/true'], { env: ctx.stackEnv }).ms);
    return s;
  });
  row('runc', ctx.present.runc && (() => samplesFrom([process.execPath], runs, {}, ['runc', 'run', '--bundle', runBundle(ctx), '{id}'])));
  row(
    'crun',
    ctx.present.crun &&
      (() => {
        // crun refuses this host's hybrid cgroups: run it in a private mount namespace
        // where the cgroup2 mount is detached.
        const unified = fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers') ? ['--umount', '/sys/fs/cgroup/unified'] : [];
        return samplesFrom(['unshare', '-m', '--propagation', 'private', process.execPath], runs, { opts: unified }, ['crun', 'run', '--bundle', runBundle(ctx), '{id}']);
      }),
  );
  row('podman run --rm', ctx.podman && (() => {
    const s = [];
    for (let i = 0; i < runs; i++) s.push(timed('podman', ['run', '--rm', '--network', 'none', IMAGE, '/bin/true'], { env: ctx.podman.env }).ms);
    return s;
  }));
  row('docker run --rm', ctx.docker && (() => {
    const s = [];
    for (let i = 0; i < runs; i++) s.push(timed(dockerCli(), ['run', '--rm', '--network', 'none', IMAGE, '/bin/true'], { env: ctx.docker.env }).ms);
    return s;
  }));
  quiet('rmdir', ['/sys/fs/cgroup/unified/stkbench']);
  return rows;
}
