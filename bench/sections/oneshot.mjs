// Section 1: one-shot container start — `/bin/true`, no network, the busybox image — with
// stack, runc, crun, `podman run --rm` and `docker run --rm`, timed the same way
// (wall time of the command, spawnSync).

import path from 'node:path';
import { IMAGE } from '../lib/images.mjs';
import { crunTimingArgs, oneshotBundle, removeBundleCgroups } from '../lib/oci-bundle.mjs';
import { timed } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';
import { dockerCli } from '../lib/docker-daemon.mjs';

const M = 'one-shot container (/bin/true, no network)';
const timeRuns = path.join(path.dirname(new URL(import.meta.url).pathname), '../lib/time-runs.mjs');

const runBundle = (ctx) => oneshotBundle(ctx.layout, path.join(ctx.root, 'bundle'));

const samples = (cmd, args) => JSON.parse(timed(cmd, args).stdout);

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
    for (let i = 0; i < runs; i++)
      s.push(
        timed(ctx.stackBin, ['run', '--rm', '--image', IMAGE, '--network', 'none', '--', '/bin/true'], {
          env: ctx.stackEnv,
        }).ms,
      );
    return s;
  });
  row(
    'runc',
    ctx.present.runc &&
      (() =>
        samples(process.execPath, [timeRuns, String(runs), '--', 'runc', 'run', '--bundle', runBundle(ctx), '{id}'])),
  );
  row('crun', ctx.present.crun && (() => samples('unshare', crunTimingArgs(timeRuns, runs, runBundle(ctx)))));
  row(
    'podman run --rm',
    ctx.podman &&
      (() => {
        const s = [];
        for (let i = 0; i < runs; i++)
          s.push(timed('podman', ['run', '--rm', '--network', 'none', IMAGE, '/bin/true'], { env: ctx.podman.env }).ms);
        return s;
      }),
  );
  row(
    'docker run --rm',
    ctx.docker &&
      (() => {
        const s = [];
        for (let i = 0; i < runs; i++)
          s.push(
            timed(dockerCli(), ['run', '--rm', '--network', 'none', IMAGE, '/bin/true'], { env: ctx.docker.env }).ms,
          );
        return s;
      }),
  );
  removeBundleCgroups();
  return rows;
}
