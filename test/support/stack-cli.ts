// Helpers for tests that drive the real `stack` command as a user would: a private
// STACK_ROOT/STACK_RUN per test file, the busybox test image, free ports.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DockerHealthcheck } from '../../images/image-healthcheck.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_IMAGE = 'stack.local/busybox:latest';

export interface StackEnv {
  root: string;
  env: NodeJS.ProcessEnv;
  /** A prefix the CLI runs under (a NetnsHost's `wrap`: stack inside a namespace that plays the host). */
  wrap?: string[];
  dispose(): void;
}

/**
 * A private STACK_ROOT and STACK_RUN under a temp folder named `stack-test-…`, and a folder
 * of its own for the boot units `up` writes (cli/boot-unit.ts): never the host's systemd.
 */
export function makeStackEnv(): StackEnv {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-'));
  const env = {
    ...process.env,
    STACK_ROOT: path.join(root, 'lib'),
    STACK_RUN: path.join(root, 'run'),
    STACK_SYSTEMD_UNIT_DIR: path.join(root, 'systemd'),
  };
  return {
    root,
    env,
    dispose: () => {
      removeKeptBuildNetworks(env);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * makeStackEnv with the test image, and STACK_RUN made: bin/stack starts a first `up`'s
 * supervisor itself (bin/early-supervisor.sh) only into an existing STACK_RUN; a host's very
 * first `up` starts it from Node.
 */
export function makeEarlyStartEnv(): StackEnv {
  const env = makeStackEnv();
  importTestImage(env);
  fs.mkdirSync(env.env.STACK_RUN!, { recursive: true, mode: 0o700 });
  return env;
}

/**
 * A build keeps its network for the next build (executor/kept-build-network.ts) until
 * `image prune`: what a test's builds kept goes before its STACK_ROOT, which records it.
 */
function removeKeptBuildNetworks(env: NodeJS.ProcessEnv): void {
  const stacks = path.join(env.STACK_ROOT!, 'stacks');
  if (!fs.existsSync(stacks) || !fs.readdirSync(stacks).some((n) => n.startsWith('stkbnet-'))) return;
  const pruned = spawnSync(path.join(repoRoot, 'bin/stack'), ['image', 'prune'], { env, encoding: 'utf8' });
  if (pruned.status !== 0) throw new Error(`removing the kept build network failed: ${pruned.stderr}`);
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function stack(env: StackEnv, args: string[], cwd = env.root): Result {
  const argv = [...(env.wrap ?? []), path.join(repoRoot, 'bin/stack'), ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env: env.env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Builds the busybox OCI layout (under `tag`, with `healthcheck` as its config's HEALTHCHECK,
 * durations in ns, and `stopSignal` as its StopSignal) and imports it into this env's store.
 */
export function importTestImage(
  env: StackEnv,
  {
    tag = TEST_IMAGE,
    healthcheck,
    stopSignal,
  }: { tag?: string; healthcheck?: DockerHealthcheck; stopSignal?: string } = {},
): void {
  const layout = path.join(env.root, `busybox-oci-${encodeURIComponent(tag)}`);
  const extra = [
    ...(healthcheck ? ['--healthcheck', JSON.stringify(healthcheck)] : []),
    ...(stopSignal ? ['--stop-signal', stopSignal] : []),
  ];
  const built = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts/build-busybox-image.mjs'), layout, '--tag', tag, ...extra],
    { encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`building the test image failed: ${built.stderr}`);
  const imported = stack(env, ['image', 'import', layout, '--tag', tag]);
  if (imported.code !== 0) throw new Error(`importing the test image failed: ${imported.stderr}`);
}

/** Ports freePort handed out in this process: the kernel may offer a just-closed one again. */
const handedOut = new Set<number>();

/** A TCP port free on 127.0.0.1 now, and never one this process got before (tests ask for several). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
      server.on('error', reject);
    });
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

export function uniqueProject(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}

/** GET over HTTP with retries while the service starts. */
export async function httpGet(url: string, attempts = 50): Promise<string> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      return await res.text();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`GET ${url} failed: ${String(last)}`);
}

/** The `web` service most integration stacks have: busybox httpd serving the test page. */
export function webService(ports: string[], extra = ''): string {
  return `  web:
    image: ${TEST_IMAGE}
    command: httpd -f -p 80 -h /www
    ports: ${JSON.stringify(ports)}
${extra}`;
}

/** The `echo` service of the UDP tests: test/integration/fixtures/udp-echo.c, built into `bin`, on port 5353. */
export function udpEchoService(bin: string, ports: string[]): string {
  return `  echo:
    image: ${TEST_IMAGE}
    command: ["/probe/udp-echo", "5353"]
    stop_grace_period: 0s
    volumes: ["${bin}:/probe:ro"]
    ports: ${JSON.stringify(ports)}
`;
}

/** The keys of a service that only sleeps and stops at once (a container to look into), then `extra`. */
export function sleeperService(extra = ''): string {
  return `    image: ${TEST_IMAGE}\n    command: sleep 1000\n    stop_grace_period: 0s\n${extra}`;
}

/** Writes `stack.yaml` for `project` with the given services block; returns its path. */
export function writeStackFile(env: StackEnv, project: string, services: string): string {
  const file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(file, `name: ${project}\nservices:\n${services}`);
  return file;
}
