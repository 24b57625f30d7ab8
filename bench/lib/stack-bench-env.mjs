// A private STACK_ROOT/STACK_RUN with the busybox test image imported, the `stack` CLI
// run against it, and the 5-service stack the reconcile benchmarks use.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IMAGE = 'stack.local/busybox:latest';

/** A temp folder with a STACK_ROOT, STACK_RUN and unit folder of its own: `{ root, env }`. */
export function privateRoot(prefix) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `stack-bench-${prefix}-`));
  // Boot units `up` writes (cli/boot-unit.ts) go to a folder of the run, never the host's systemd.
  const env = {
    ...process.env,
    STACK_ROOT: path.join(root, 'lib'),
    STACK_RUN: path.join(root, 'run'),
    STACK_SYSTEMD_UNIT_DIR: path.join(root, 'systemd'),
  };
  return { root, env };
}

/** With `tmpfs` (a size such as '16m'), STACK_ROOT is a tmpfs of that size, for full-disk runs. */
export function benchEnv(prefix, { tmpfs } = {}) {
  const { root, env } = privateRoot(prefix);
  if (tmpfs) {
    fs.mkdirSync(env.STACK_ROOT);
    spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${tmpfs},mode=0700`, 'stkbench-full', env.STACK_ROOT]);
  }
  const stack = (...args) => {
    const r = spawnSync(path.join(repo, 'bin/stack'), [...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`stack ${args.join(' ')} failed:\n${r.stderr}`);
    return r;
  };
  const start = (...args) => spawn(path.join(repo, 'bin/stack'), [...args], { env });
  spawnSync(process.execPath, [
    path.join(repo, 'scripts/build-busybox-image.mjs'),
    path.join(root, 'oci'),
    '--tag',
    IMAGE,
  ]);
  stack('image', 'import', path.join(root, 'oci'), '--tag', IMAGE);
  const dispose = () => {
    // Lazily: a container process still being reaped may hold it a moment longer.
    if (tmpfs) spawnSync('umount', ['--lazy', env.STACK_ROOT]);
    fs.rmSync(root, { recursive: true, force: true });
  };
  return { root, env, stack, start, dispose };
}

/** A service running `sleep`, with `extra` lines of its own (indented 4). */
export const sleeper = (name, extra = '') => `  ${name}:\n    image: ${IMAGE}\n    command: sleep 100000\n${extra}`;

/** The head of a stack file with a web server (busybox httpd) published on `port`. */
export const withWebServer = (project, port) => `name: ${project}
services:
  web:
    image: ${IMAGE}
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1:${port}:80"]
`;

/** Five services: a web server with a published port and four sleepers, one with `MODE`. */
export function fiveServices(project, port, mode = 'one') {
  return `${withWebServer(project, port)}${sleeper('api', `    environment: { MODE: ${mode} }\n    depends_on: [db]\n`)}${sleeper('db')}${sleeper('cache')}${sleeper('worker', '    depends_on: [api]\n')}`;
}

export function hostInfo() {
  return `${os.cpus().length} cores, Linux ${os.release()}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export function writeResult(name, value) {
  const dir = path.join(repo, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(value, null, 2) + '\n');
}
