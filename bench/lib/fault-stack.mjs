// The stack a fault round runs against, and what every round checks after its fault: `up -d`
// converges (exit 0, `ps` shows each service once and running, the published port serves),
// nothing runs twice (one copy of each container, counted in /proc by a mark each container
// carries in its environment), and `down` exits 0 and leaves no host object of the project.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { repo } from './stack-bench-env.mjs';
import { markedProcesses } from './stack-processes.mjs';
import { projectObjects, removeProjectObjects } from './project-objects.mjs';

const IMAGE = 'stack.local/busybox:latest';
export const SERVICES = ['web', 'looper', 'worker'];
/** The environment variable that marks a container's processes: `<project>-<service>`. */
export const MARK = 'STK_FAULT';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A published busybox httpd with a healthcheck, a `restart: always` loop appending to a
 * named volume, and a sleeper (the last two are judged ready by the readiness monitor, the
 * first by its probes: both write to records while a fault runs). Stop grace 0: rounds are many.
 */
export function writeStack(root, project, port) {
  const service = (name, body) =>
    `  ${name}:\n    image: ${IMAGE}\n    stop_grace_period: 0s\n    environment: { ${MARK}: ${project}-${name} }\n${body}`;
  const file = path.join(root, `${project}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
${service('web', `    command: httpd -f -p 80 -h /www\n    ports: ["127.0.0.1:${port}:80"]\n    healthcheck: { test: ["CMD", "true"], interval: 1s }\n`)}${service('looper', '    command: ["sh", "-c", "while true; do date >> /data/ticks; sleep 0.2; done"]\n    restart: always\n    volumes: ["data:/data"]\n')}${service('worker', '    command: sleep 100000\n')}volumes:
  data: {}
`,
  );
  return file;
}

/** `stack ARGS…` in the background: its child and a promise of {code, stdout, stderr}, killed after `timeoutMs`. */
export function startStack(env, args, timeoutMs = 60_000) {
  const child = spawn(path.join(repo, 'bin/stack'), args, { env });
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const result = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr, timedOut });
    }),
  );
  return { child, result };
}

export const runStack = (env, args, timeoutMs) => startStack(env, args, timeoutMs).result;

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** One GET on a new connection to 127.0.0.1:port; resolves to the body, rejects on failure. */
export function getOnce(port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      // A server killed mid-answer: no 'end', and nothing else would settle this.
      res.on('close', () => reject(new Error('connection closed before the end of the answer')));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** GETs one after another until stopped; counts answers and failures. */
export function clientLoop(port) {
  const counts = { ok: 0, failed: 0 };
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        await getOnce(port);
        counts.ok++;
      } catch {
        counts.failed++;
        await sleep(20);
      }
    }
  })();
  return {
    counts,
    get stopped() {
      return stopped;
    },
    stop: async () => {
      stopped = true;
      await done;
      return counts;
    },
  };
}

const tail = (text) => text.trim().split('\n').slice(-6).join(' | ');

/**
 * The checks after a fault (`afterUp` runs once `up -d` is done): pushes onto `report.problems` (did not converge),
 * `report.duplicates` (a container running twice) and `report.leaks` (left after down).
 */
export async function checkRound({ env, project, file, port }, report, afterUp = async () => {}) {
  const f = ['-f', file];
  const up = await runStack(env, [...f, 'up', '-d']);
  await afterUp();
  // Whether a kill landed inside an apply (supervisor/journal): the next up says so.
  if (/was interrupted/.test(up.stderr)) report.detail += '; the next up found the apply cut';
  if (up.code !== 0)
    report.problems.push(`up -d exited ${up.code}${up.timedOut ? ' (timed out)' : ''}: ${tail(up.stderr)}`);
  // -a: a container that is not running must show too; one JSON object per line, as compose.
  const ps = await runStack(env, [...f, 'ps', '-a', '--format', 'json']);
  let rows;
  try {
    rows = ps.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    if (ps.code !== 0) throw new Error('ps failed');
  } catch {
    rows = undefined;
    report.problems.push(`ps exited ${ps.code}: ${tail(ps.stderr)}`);
  }
  for (const s of SERVICES) {
    const mine = (rows ?? []).filter((r) => r.service === s);
    if (rows !== undefined && (mine.length !== 1 || mine[0].state !== 'running'))
      report.problems.push(`ps shows ${s} as ${JSON.stringify(mine.map((r) => r.state))}`);
  }
  try {
    await getOnce(port);
  } catch (err) {
    report.problems.push(`127.0.0.1:${port} does not answer: ${err.message}`);
  }
  // A second copy shows once an exit charged to the wrong process has been acted on: the
  // adopter's /proc poll (250 ms) and the restart backoff (100 ms) are well within this.
  await sleep(1000);
  const marked = markedProcesses(MARK, `${project}-`);
  for (const s of SERVICES) {
    const roots = marked.get(`${project}-${s}`)?.roots ?? [];
    if (roots.length > 1) report.duplicates.push(`${s} runs ${roots.length} times (pids ${roots.join(' ')})`);
    if (roots.length === 0) report.problems.push(`${s} has no process`);
  }
  await downClean({ env, project, file }, report);
}

/** `down -v -t 0` exits 0 and, within a few seconds, nothing of the project is left. */
export async function downClean({ env, project, file }, report) {
  const down = await runStack(env, ['-f', file, 'down', '-v', '-t', '0']);
  if (down.code !== 0) report.problems.push(`down exited ${down.code}: ${tail(down.stderr)}`);
  const query = objectQuery(env, project);
  let left = projectObjects(query);
  // Processes just killed may take a moment to be reaped.
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await sleep(100);
    left = projectObjects(query);
  }
  report.leaks.push(...left);
}

const objectQuery = (env, project) => ({
  project,
  containers: SERVICES.map((s) => `${project}-${s}-1`),
  env,
  mark: { name: MARK, prefix: `${project}-` },
});

/**
 * After a failed round: `down` once more, then removes by force what is still there, so the
 * next round (and the host) starts clean. Returns what it had to remove by force.
 */
export async function salvage({ env, project, file }) {
  const query = objectQuery(env, project);
  if (projectObjects(query).length === 0) return [];
  await runStack(env, ['-f', file, 'down', '-v', '-t', '0']);
  const left = projectObjects(query);
  await removeProjectObjects(query);
  fs.rmSync(path.join(env.STACK_ROOT, 'stacks', project), { recursive: true, force: true });
  fs.rmSync(path.join(env.STACK_RUN, project), { recursive: true, force: true });
  return left;
}
