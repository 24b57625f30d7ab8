// A private dockerd for the bench: its own data root, exec root, socket and pid file under
// the bench's temp folder, started here and stopped by pid (with the containerd it starts).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { killMarked, unmountBelow } from './host-guard.mjs';
import { quiet, sleep } from './run.mjs';

/**
 * `wrap`: a prefix to run dockerd under, e.g. a test's network namespace (a NetnsHost's
 * `wrap`), so its FORWARD policy and iptables chains stay in there.
 */
export async function startDockerd(root, { wrap = [] } = {}) {
  const dir = path.join(root, 'docker');
  fs.mkdirSync(dir, { recursive: true });
  const sock = path.join(dir, 'docker.sock');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  const argv = [
    ...wrap,
    'dockerd',
    ...[
      '--data-root',
      path.join(dir, 'data'),
      '--exec-root',
      path.join(dir, 'exec'),
      '--pidfile',
      path.join(dir, 'dockerd.pid'),
    ],
    ...['-H', `unix://${sock}`, '--log-level', 'warn'],
  ];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', log, log], detached: true });
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    if (quiet(dockerCli(), ['version'], { env }).status === 0) return { pid: child.pid, env, dir, child };
    await sleep(100);
  }
  const tail = fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').trim().split('\n').slice(-3).join(' / ');
  await stopDockerd({ pid: child.pid, dir, child });
  throw new Error(`dockerd did not come up: ${tail}`);
}

export async function stopDockerd(d) {
  try {
    process.kill(d.pid, 'SIGTERM');
  } catch {
    // gone
  }
  for (let i = 0; i < 100 && d.child.exitCode === null; i++) await sleep(100);
  // Whatever dockerd left (its containerd, shims) is marked by the private root.
  killMarked(d.dir);
  await sleep(200);
  unmountBelow(d.dir);
}

/** Debian's client matches Debian's daemon; a newer client elsewhere on PATH may not. */
export function dockerCli() {
  return fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}
