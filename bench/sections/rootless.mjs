// Issue 22's bench: `up -d` of the reference stack (bench/stacks/five) by stack rootless
// against stack rootful, podman-compose rootless and podman-compose rootful, in one run with
// the order rotated every round so the machine's load falls on all alike. The rootless
// tools run as one ordinary user the section makes (rootless-user.mjs); podman runs as that
// user with storage under its home, runc and slirp4netns (podman-rootless-env.mjs).
// Each mode keeps one keeper container running (stack: a one-service stack; podman: one on
// its bridge network), so the measured `up` finds the user's namespaces made, as a user with
// any other stack up does; the first `up`, which makes them, is a row of its own.
// Measured: wall time of `up -d` until the published port answers (as the five section),
// the CPU of the `up -d` command and of what it waited for (/usr/bin/time: podman's run
// processes count, stack's detached supervisor and podman's conmon do not), and `down`.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { IMAGE } from '../lib/images.mjs';
import { podmanRootlessEnv } from '../lib/podman-rootless-env.mjs';
import { asUser, disposeBenchUser, makeBenchUser, userEnv } from '../lib/rootless-user.mjs';
import { waitForHttp } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';

export const ROOTLESS_ROWS = {
  up: 'rootless: 5-service stack up -d until the port answers',
  cpu: 'rootless: 5-service stack up -d, CPU of the command (user+sys)',
  down: 'rootless: 5-service stack down',
  cold: "rootless: the user's first up -d, making its network namespace (1 run)",
};
const PROJECT = 'stkbenchrl';

/** Runs `argv` (with /usr/bin/time); wall and CPU ms; throws with its stderr on failure. */
function timedCpu(argv, env, cwd) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S', ...argv], { env, cwd, encoding: 'utf8', timeout: 300_000 });
  const wall = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(
      `${argv.join(' ')} exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-4).join(' / ')}`,
    );
  const m = [...(r.stderr ?? '').matchAll(/TIME (\S+) (\S+)/g)].pop();
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

function tools(ctx, user, podmanUserEnv) {
  const stackUser = userEnv(user);
  const list = [
    { name: 'stack', argv: [ctx.stackBin], env: ctx.stackEnv },
    { name: 'stack rootless', argv: [...asUser(user), ctx.stackBin], env: stackUser, rootless: true },
  ];
  if (ctx.present['podman-compose']) {
    if (ctx.podman) list.push({ name: 'podman-compose', argv: ['podman-compose'], env: ctx.podman.env });
    list.push({
      name: 'podman-compose rootless',
      argv: [...asUser(user), 'podman-compose'],
      env: podmanUserEnv,
      rootless: true,
      podman: [...asUser(user), 'podman'],
    });
  }
  return list;
}

export async function rootless(ctx) {
  const dir = path.join(ctx.root, 'rootless');
  fs.mkdirSync(dir);
  // The user reaches its home through the bench's folder (traverse only).
  fs.chmodSync(ctx.root, fs.statSync(ctx.root).mode | 0o011);
  const user = makeBenchUser(dir, `stkbench${process.pid}`);
  const rows = [];
  let list = [];
  try {
    const file = path.join(user.home, 'stack.yaml');
    fs.copyFileSync(path.join(ctx.repo, 'bench/stacks/five/stack.yaml'), file);
    const keeper = path.join(user.home, 'keeper.yaml');
    fs.writeFileSync(
      keeper,
      `name: ${PROJECT}keep\nservices:\n  keep:\n    image: ${IMAGE}\n    init: true\n    network_mode: none\n    command: ["sleep", "86400"]\n`,
    );
    const layout = path.join(user.home, 'oci');
    fs.cpSync(ctx.layout, layout, { recursive: true });
    const archive = path.join(user.home, 'busybox-docker.tar');
    if (ctx.archive) fs.copyFileSync(ctx.archive, archive);
    spawnSync('chmod', ['-R', 'a+rX', user.home]);
    list = tools(ctx, user, ctx.present['podman-compose'] ? podmanRootlessEnv(user, ctx.hard) : undefined);
    const run = (tool, args, extraEnv = {}) =>
      timedCpu([...tool.argv, ...args], { ...tool.env, ...extraEnv }, user.home);

    // Each tool: its image, its port, and (rootless) the cold first up, then its keeper.
    for (const tool of list) {
      tool.port = String(await ctx.freePort());
      tool.t = { up: [], cpu: [], down: [] };
      try {
        if (tool.name === 'stack rootless') run(tool, ['image', 'import', layout, '--tag', IMAGE]);
        if (tool.podman) timedCpu([...tool.podman, 'load', '-i', archive], tool.env, user.home);
        if (!tool.rootless) continue;
        tool.cold = (await cycleTimed(tool, run, file)).up;
        if (tool.podman)
          timedCpu(
            [
              ...tool.podman,
              'run',
              '-d',
              '--name',
              `${PROJECT}keep`,
              '--network',
              'podman',
              '--init',
              IMAGE,
              'sleep',
              '86400',
            ],
            tool.env,
            user.home,
          );
        else run(tool, ['-f', keeper, 'up', '-d']);
      } catch (e) {
        tool.error = e.message;
      }
    }
    for (let i = 0; i < ctx.runs.rootless; i++) {
      const order = list.map((_, k) => list[(k + i) % list.length]);
      for (const tool of order.filter((t) => !t.error)) {
        try {
          const c = await cycleTimed(tool, run, file);
          tool.t.up.push(c.up);
          tool.t.cpu.push(c.cpu);
          tool.t.down.push(c.down);
        } catch (e) {
          tool.error = e.message;
          try {
            run(tool, ['-f', file, '-p', PROJECT, 'down'], { BENCH_WEB_PORT: tool.port });
          } catch {
            // already down
          }
        }
      }
    }
    for (const tool of list) {
      if (tool.error) {
        for (const m of Object.values(ROOTLESS_ROWS)) rows.push({ measurement: m, tool: tool.name, error: tool.error });
        continue;
      }
      rows.push({ measurement: ROOTLESS_ROWS.up, tool: tool.name, unit: 'ms', stats: summary(tool.t.up) });
      rows.push({ measurement: ROOTLESS_ROWS.cpu, tool: tool.name, unit: 'ms', stats: summary(tool.t.cpu) });
      rows.push({ measurement: ROOTLESS_ROWS.down, tool: tool.name, unit: 'ms', stats: summary(tool.t.down) });
      if (tool.cold !== undefined)
        rows.push({ measurement: ROOTLESS_ROWS.cold, tool: tool.name, unit: 'ms', stats: summary([tool.cold]) });
    }
    if (!ctx.present['podman-compose'])
      rows.push({ measurement: ROOTLESS_ROWS.up, tool: 'podman-compose rootless', absent: true });
  } finally {
    for (const tool of list) {
      const env = { ...tool.env, BENCH_WEB_PORT: tool.port ?? '1' };
      spawnSync(
        tool.argv[0],
        [...tool.argv.slice(1), '-f', path.join(user.home, 'stack.yaml'), '-p', PROJECT, 'down'],
        {
          env,
          cwd: user.home,
        },
      );
      if (tool.name === 'stack rootless')
        spawnSync(tool.argv[0], [...tool.argv.slice(1), '-p', `${PROJECT}keep`, 'down', '-t', '0'], {
          env,
          cwd: user.home,
        });
      if (tool.podman)
        spawnSync(tool.podman[0], [...tool.podman.slice(1), 'rm', '-af', '-t', '0'], { env, cwd: user.home });
    }
    disposeBenchUser(user);
  }
  return rows;
}

/** One up -d (until the port answers) and down; wall ms of each and the up command's CPU. */
async function cycleTimed(tool, run, file) {
  const env = { BENCH_WEB_PORT: tool.port };
  const t0 = performance.now();
  const up = run(tool, ['-f', file, '-p', PROJECT, 'up', '-d'], env);
  await waitForHttp(Number(tool.port));
  const upWall = performance.now() - t0;
  const down = run(tool, ['-f', file, '-p', PROJECT, 'down'], env);
  return { up: upWall, cpu: up.cpu, down: down.wall };
}

/**
 * The margins issue 22 sets, from the rows: rootless ≤ 1.5× rootful, and podman-compose
 * rootless / stack rootless at least podman-compose / stack (rootful), for each measurement.
 */
export function rootlessMargins(rows) {
  const med = (m, tool) => rows.find((r) => r.measurement === m && r.tool === tool && r.stats)?.stats.median;
  const ratio = (a, b) => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : '–');
  const out = [
    '| measurement | stack rootless / stack (target ≤ 1.5×) | podman-compose rootless / stack rootless | podman-compose / stack (rootful margin) |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const m of [ROOTLESS_ROWS.up, ROOTLESS_ROWS.cpu, ROOTLESS_ROWS.down])
    out.push(
      `| ${m.replace('rootless: ', '')} | ${ratio(med(m, 'stack rootless'), med(m, 'stack'))} | ${ratio(med(m, 'podman-compose rootless'), med(m, 'stack rootless'))} | ${ratio(med(m, 'podman-compose'), med(m, 'stack'))} |`,
    );
  return out.join('\n');
}
