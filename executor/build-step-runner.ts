// RUN steps of a build, each in a container of stack's own runtime with the default
// isolation (docker's capabilities, the seccomp filter, masked paths) and, by default, a
// network with egress (build-network.ts); started and removed the way every container is
// (launch-container.ts). Each build is a stack of its own, `stkbuild-<build id>`, held under
// its stack lock from its first RUN step to its end, so a killed build leaves objects named
// as a build's and a free lock tells the next build to sweep them (build-leftovers.ts). The
// build takes a kept network (kept-build-network.ts) at the first step that needs one and
// leaves it for the next build when it ends (`end`), failed or not: steps of one build run
// one after another, so they share it as they share nothing else. A step's output goes to
// its log file, which is read as it grows and handed to the builder. The upper folder is
// left in place after the exit: the builder takes it as the step's layer, then releases.

import fs from 'node:fs';
import { DEFAULT_CAPABILITIES } from '../model/capabilities.js';
import type { ContainerSpec, MountSpec } from '../model/plan.js';
import type { RunStepInput, RunStepMount, StepRunner } from '../images/build/build-request.js';
import { paths } from '../store/paths.js';
import type { Host } from './host.js';
import { runOneOff } from './one-off.js';
import { buildEndpoint } from './build-network.js';
import { IDLE_MS, removeKeptNetworks, takeKeptNetwork, type KeptNetwork } from './kept-build-network.js';
import { BUILD_PROJECT_PREFIX, removeBuildStack, sweepBuildLeftovers } from './build-leftovers.js';
import { acquireStackLock, type StackLock } from '../store/stack-lock.js';
import { removeContainer } from './stop-container.js';

const SHM_DEFAULT = 64 * 1024 * 1024;

/** What one build holds while it runs: its stack's lock, and its network once a step needed one. */
interface BuildSession {
  project: string;
  lock: Promise<StackLock>;
  network?: Promise<KeptNetwork>;
}

export function makeBuildStepRunner(host: Host): StepRunner {
  let swept: Promise<unknown> | undefined;
  const sessions = new Map<string, BuildSession>();
  const session = (buildId: string): BuildSession => {
    let s = sessions.get(buildId);
    if (!s) {
      const project = `${BUILD_PROJECT_PREFIX}${buildId}`;
      // Held until the build ends: a free lock tells the next build this build's process died.
      s = { project, lock: acquireStackLock(project, { command: 'stack build' }) };
      sessions.set(buildId, s);
    }
    return s;
  };
  const sweep = () => (swept ??= sweepBuildLeftovers(host));
  /** Builds being prepared: their end waits for it, so it finds what the preparing took. */
  const preparing = new Map<string, Promise<unknown>>();
  return {
    prepare(buildId, network) {
      if (preparing.has(buildId)) return;
      const ready = sweep().then(() => {
        const build = session(buildId);
        // Taken once the lock is held, as `run` does.
        if (network) build.network ??= build.lock.then(() => takeKeptNetwork(host));
        return Promise.all([build.lock, build.network]);
      });
      ready.catch(() => undefined); // a failure is reported by `run`, which waits for the same
      preparing.set(buildId, ready);
    },

    async run(input, onOutput) {
      await sweep();
      const build = session(input.buildId);
      await build.lock;
      let spec = runSpec(build.project, input);
      const log = followLog(paths.logFile(spec.project, spec.name), onOutput);
      try {
        let bridgesReady: Promise<void> | undefined;
        if (input.network === 'default') {
          build.network ??= takeKeptNetwork(host);
          const network = await build.network;
          const endpoint = buildEndpoint(network.spec, spec.project, spec.name);
          spec = { ...spec, networkMode: undefined, endpoints: [endpoint] };
          bridgesReady = network.ready;
        }
        await host.state.saveContainer(spec.project, { spec, status: 'creating' });
        // The bridge is made while the container is prepared and spawned: it is needed only to wire it.
        const outcome = await runOneOff(spec, host, {
          remove: false,
          attach: false,
          bridgesReady,
          recoveryRecordsOnly: true,
        });
        log.drain();
        if (outcome.startError) onOutput(Buffer.from(`${outcome.startError.detail}\n`));
        const upper = `${paths.containerDir(spec.project, spec.name)}/upper`;
        // runOneOff returns once the step's init has exited and been reaped here, its parent.
        return { exitCode: outcome.exitCode, upper, release: () => removeStep(host, spec, true) };
      } catch (err) {
        await removeStep(host, spec, false);
        throw err;
      } finally {
        log.stop();
      }
    },

    async end(buildId) {
      await preparing.get(buildId)?.catch(() => undefined);
      preparing.delete(buildId);
      const build = sessions.get(buildId);
      if (!build) return; // no RUN step ran
      sessions.delete(buildId);
      const lock = await build.lock;
      try {
        await removeBuildStack(host, build.project);
      } finally {
        lock.release({ removeFile: true });
        // The network stays for the next build (the veths of exited steps go with their
        // namespaces, in the kernel's time; the next build's step has a veth of its own).
        await (await build.network?.catch(() => undefined))?.release();
      }
      await removeKeptNetworks(host, IDLE_MS);
    },
  };
}

/**
 * The step's container, its veth and folders (the upper one included, unless moved away).
 * `exited`: its init has ended and was reaped, so its pid namespace is gone with everything
 * that ran in it; nothing is left to stop, and the cleanup's cgroup kill takes whatever
 * might remain, as for an exited one-off.
 */
async function removeStep(host: Host, spec: ContainerSpec, exited: boolean): Promise<void> {
  // A build step has no pre_stop hooks, so removal has no warnings to pass on; and no
  // restart policy, so no stop mark (a killed build's sweep removes it all the same).
  await removeContainer(host, spec.project, spec.name, {
    signal: 'SIGKILL',
    graceSeconds: 0,
    hostVeths: stepVethsToDelete(spec, exited),
    markStopped: false,
    exited,
  });
}

/**
 * The host veths a step's removal deletes itself. None once the step has exited: its init
 * was reaped after it was wired (runOneOff returns only then), so the veth's peer is in the
 * step's own network namespace, which nothing holds any more; the kernel dismantles that
 * namespace and deletes the pair with it, host end included. Deleting the host end here
 * waited for the kernel (RCU grace periods, 2–20 ms) at the end of every build that ran a
 * RUN step; the namespace's dismantling goes on without it. A step that never exited (a
 * failed start, a killed build's leftover) may have a veth that no namespace takes: deleted.
 */
export function stepVethsToDelete(spec: ContainerSpec, exited: boolean): string[] {
  return exited ? [] : spec.endpoints.map((ep) => ep.hostVeth);
}

/** Hands what a file gains to `onOutput`, every 100 ms and on `drain()`. */
function followLog(file: string, onOutput: (chunk: Buffer) => void): { drain(): void; stop(): void } {
  let offset = 0;
  const drain = () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return; // not made yet
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (
        let n = fs.readSync(fd, buf, 0, buf.length, offset);
        n > 0;
        n = fs.readSync(fd, buf, 0, buf.length, offset)
      ) {
        offset += n;
        onOutput(Buffer.from(buf.subarray(0, n)));
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(drain, 100);
  return { drain, stop: () => clearInterval(timer) };
}

function runSpec(project: string, input: RunStepInput): ContainerSpec {
  return {
    project,
    service: 'build',
    name: `${project}-${input.step}`,
    hostname: 'buildkitsandbox',
    image: {
      ref: `build:${input.buildId}-${input.step}`,
      id: `build-step-${input.buildId}-${input.step}`,
      layers: input.layers,
    },
    argv: input.argv,
    env: input.env,
    cwd: input.workdir,
    endpoints: [],
    hosts: input.extraHosts.map((h) => ({ ip: h.ip, names: [h.host] })),
    stopSignal: 'SIGKILL',
    stopGraceSeconds: 0,
    replica: 1,
    user: input.user,
    resources: {},
    capabilities: [...DEFAULT_CAPABILITIES],
    privileged: false,
    seccomp: 'default',
    // BuildKit runs RUN without no_new_privs, so setuid tools (su, sudo) work in a build.
    noNewPrivileges: false,
    readOnlyRootfs: false,
    mounts: input.mounts.map(mountSpec),
    shmSizeBytes: input.shmSizeBytes ?? SHM_DEFAULT,
    sysctls: {},
    ulimits: {},
    init: false,
    tty: false,
    resolvConf: [],
    networkMode: input.network === 'host' ? 'host' : 'none',
    restart: { name: 'no' } as ContainerSpec['restart'],
    labels: {},
    hash: `${input.buildId}-${input.step}`,
  };
}

function mountSpec(m: RunStepMount): MountSpec {
  if (m.type === 'tmpfs') return { type: 'tmpfs', source: '', target: m.target, readOnly: false };
  if (m.type === 'file') return { type: 'bind', source: m.source, target: m.target, readOnly: true };
  return { type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly };
}
