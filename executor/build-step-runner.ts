// RUN steps of a build, each in a container of stack's own runtime with the default
// isolation (docker's capabilities, the seccomp filter, masked paths) and, by default, a
// network with egress of its own (build-network.ts); started and removed
// the way every container is (launch-container.ts). The container is a stack of its own,
// `stkbuild-<id>`, so a crashed build leaves objects named as a build's; its output goes to
// its log file, which is read as it grows and handed to the builder. The upper folder is
// left in place after the exit: the builder takes it as the step's layer, then releases.

import fs from 'node:fs';
import { DEFAULT_CAPABILITIES } from '../model/capabilities.js';
import type { ContainerSpec, MountSpec } from '../model/plan.js';
import type { RunStepInput, RunStepMount, StepRunner } from '../images/build/build-request.js';
import { paths } from '../store/paths.js';
import type { Host } from './host.js';
import { runOneOff } from './one-off.js';
import { makeBuildNetwork } from './build-network.js';
import { removeBuildStep, sweepBuildLeftovers } from './build-leftovers.js';
import { acquireStackLock } from '../store/stack-lock.js';

const SHM_DEFAULT = 64 * 1024 * 1024;

export function makeBuildStepRunner(host: Host): StepRunner {
  let swept: Promise<unknown> | undefined;
  return {
    async run(input, onOutput) {
      swept ??= sweepBuildLeftovers(host);
      await swept;
      const base = runSpec(input);
      // Held while the step runs: a free lock tells the next build this step's builder died.
      const lock = await acquireStackLock(base.project, { command: 'stack build: RUN step' });
      const release = async () => {
        try {
          await removeBuildStep(host, base.project);
        } finally {
          lock.release({ removeFile: true });
        }
      };
      const log = followLog(paths.logFile(base.project, base.name), onOutput);
      try {
        const endpoint =
          input.network === 'default' ? await makeBuildNetwork(host, base.project, base.name) : undefined;
        const spec: ContainerSpec = endpoint ? { ...base, networkMode: undefined, endpoints: [endpoint] } : base;
        await host.state.saveContainer(spec.project, { spec, status: 'creating' });
        const outcome = await runOneOff(spec, host, { remove: false, attach: false });
        log.drain();
        if (outcome.startError) onOutput(Buffer.from(`${outcome.startError.detail}\n`));
        return { exitCode: outcome.exitCode, upper: `${paths.containerDir(spec.project, spec.name)}/upper`, release };
      } catch (err) {
        await release();
        throw err;
      } finally {
        log.stop();
      }
    },
  };
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

function runSpec(input: RunStepInput): ContainerSpec {
  const project = `stkbuild-${input.id}`;
  return {
    project,
    service: 'build',
    name: `${project}-1`,
    hostname: 'buildkitsandbox',
    image: { ref: `build:${input.id}`, id: `build-step-${input.id}`, layers: input.layers },
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
    hash: input.id,
  };
}

function mountSpec(m: RunStepMount): MountSpec {
  if (m.type === 'tmpfs') return { type: 'tmpfs', source: '', target: m.target, readOnly: false };
  if (m.type === 'file') return { type: 'bind', source: m.source, target: m.target, readOnly: true };
  return { type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly };
}
