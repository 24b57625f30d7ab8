// Host['containers'] on Linux: directories and cgroups (prepare, container-prepare.ts), the
// init stage spawned through the namespace window with its configuration
// (container-init-config.ts) (spawn), the go signal (release), signals with escalation (stop,
// container-signals.ts) and removal (cleanup). Works from state records alone for containers another
// supervisor spawned: a pid is only ever signalled when its start time matches the record.

import { logFamily } from '../../../store/log-segments.js';
import { drainConnections } from './drain.js';
import { closeSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import type { ContainerSpec } from '../../../model/plan.js';
import { ContainerStartError, CopyError, type ContainerExit, type Host, type SpawnedContainer } from '../../host.js';
import { spawnInNewNamespaces } from './namespace-window.js';
import { spawnContainerProcess } from './threadpool-window.js';
import type { ChildOptions, SpawnedChild } from './spawned-child.js';
import {
  cgroupPids,
  freezeCgroups,
  killCgroups,
  oomKills,
  removeCgroups,
  removeFreezer,
  thawCgroups,
} from './cgroups.js';
import { namespacesFor } from './shared-namespaces.js';
import { removeSharedShm } from './shared-shm.js';
import { paths } from '../../../store/paths.js';
import { openPrivateAppend } from '../../../store/private-files.js';
import { isSameProcess, readStartTime } from '../../../store/proc-stat.js';
import { InitChannel, type InitStatusChannel } from './init-channel.js';
import { FdInitChannel } from './init-channel-fds.js';
import { AdoptedContainers } from './adopted-containers.js';
import { INIT_ENV } from './init/config.js';
import { stageNodePath, stageScriptPath } from './stage-files.js';
import { prepareContainer } from './container-prepare.js';
import { initConfigFor } from './container-init-config.js';
import { sendSignal, signalThenKill } from './container-signals.js';
import { SpawnFailedError } from './posix-spawn.js';
import { encodeNativeConfig, NATIVE_STAGE_ARGV0, nativeStageExecutable } from './native-init.js';
import { createContainerExec } from './container-exec.js';
import { createContainerSync } from './container-sync.js';
import { cleanupMounts } from './container-mounts.js';
import { pollCondition } from '../../../model/conditions.js';
import { raceTimeout } from './race-timeout.js';
import { containerStdin, stdinWriter } from './open-stdin.js';
import { containerProcesses } from './container-processes.js';
import { containerStats } from './container-stats.js';
import { copyFromContainer, copyToContainer } from './container-copy.js';
import { openFdTree } from './fd-tree-dir.js';
import { removeFile, removeTree } from './remove-tree.js';

interface Live {
  channel: InitStatusChannel;
  pid: number;
  startTime: number | undefined;
  exited: Promise<number>;
  released: boolean;
  /** The init stage or the command has exited. */
  done: boolean;
}

const READY_TIMEOUT_MS = 30_000;
const key = (project: string, name: string) => `${project}/${name}`;

export function createLinuxContainers(state: Host['state']): Host['containers'] {
  const live = new Map<string, Live>();
  const listeners: ((exit: ContainerExit) => void)[] = [];
  const emit = (exit: ContainerExit) => {
    for (const l of listeners) {
      try {
        l(exit);
      } catch {
        /* a listener's bug is not ours */
      }
    }
  };
  const adopted = new AdoptedContainers((c, exitCode) =>
    emit({ project: c.project, name: c.name, exitCode, pid: c.pid }),
  );

  /** The container's PID 1 and its start time, checked against its record; a CopyError when it does not run. */
  async function runningPid(project: string, name: string): Promise<{ pid: number; startTime: number | undefined }> {
    const record = await state.loadContainer(project, name);
    if (!record?.pid || !isSameProcess(record.pid, record.startTime))
      throw new CopyError(`container ${name} is not running; \`stack start\` it first`);
    return { pid: record.pid, startTime: record.startTime };
  }

  function forget(project: string, name: string, entry: Live): void {
    entry.channel.close();
    if (live.get(key(project, name)) === entry) live.delete(key(project, name));
  }

  async function failStart(spec: ContainerSpec, entry: Live, step: string, detail: string): Promise<never> {
    forget(spec.project, spec.name, entry);
    await ensureGone(entry);
    throw new ContainerStartError(spec.name, step, detail);
  }

  /** Where its groups are: under its cgroup_parent, which the record's spec carries (written before they are made). */
  const cgroupParentOf = async (project: string, name: string) =>
    (await state.loadContainer(project, name))?.spec.resources.cgroupParent;

  return {
    prepare: prepareContainer,

    async spawn(spec, opts = {}) {
      const dir = paths.containerDir(spec.project, spec.name);
      const config = await initConfigFor(spec, dir);
      const namespaces = await namespacesFor(spec, state);
      if (namespaces.shared) config.shared = namespaces.shared;
      // `logging: {driver: none}`: the output goes nowhere, as docker's none driver.
      const discard = !opts.attach && spec.logging?.driver === 'none';
      let log: number | undefined;
      let stdin: number | 'ignore' | undefined;
      let child: SpawnedChild;
      // Opened inside the try: a log or stdin that cannot be opened must not leak the joined
      // namespaces' fds (nor the log's) in the supervisor.
      try {
        log = opts.attach || discard ? undefined : openPrivateAppend(paths.logFile(spec.project, spec.name));
        // A detached container's stdin: nothing, or with stdin_open a FIFO that never reaches EOF.
        stdin = opts.attach ? undefined : containerStdin(dir, spec.stdinOpen);
        // A clean environment: inherited variables (NODE_EXTRA_CA_CERTS…) slow Node's start.
        // detached: its own session, so the container outlives the supervisor.
        // The native init stage when it was built (~2 ms), else the portable Node one.
        const native = nativeStageExecutable();
        const [command, args, configText] = native
          ? [native, [], encodeNativeConfig(config)]
          : [stageNodePath(), [stageScriptPath('init.cjs')], JSON.stringify(config)];
        const childOptions: ChildOptions = {
          ...(native ? { argv0: NATIVE_STAGE_ARGV0 } : {}),
          stdio:
            stdin === undefined ? [0, 1, 2, 'pipe', 'pipe'] : [stdin, log ?? 'ignore', log ?? 'ignore', 'pipe', 'pipe'],
          env: { [INIT_ENV]: configText },
          detached: true,
          // Attached, this process (a CLI) hosts this one container: its init pipes need no sockets.
          ...(opts.attach ? { rawPipes: true } : {}),
        };
        // A supervisor's window runs on its threadpool, while its main thread goes on with the
        // other starts; a CLI hosting its one container has nothing else to do meanwhile.
        child = opts.attach
          ? spawnInNewNamespaces(command, args, childOptions, namespaces.choices)
          : await spawnContainerProcess(command, args, childOptions, namespaces.choices);
      } catch (err) {
        // The stage binary could not be executed (ENOENT, EACCES): nothing was spawned.
        if (!(err instanceof SpawnFailedError)) throw err;
        throw new ContainerStartError(spec.name, 'spawn', err.message);
      } finally {
        if (log !== undefined) closeSync(log);
        for (const fd of namespaces.fds) closeSync(fd);
        if (typeof stdin === 'number') closeSync(stdin);
      }
      const entry: Live = {
        channel: opts.attach
          ? new FdInitChannel(child.pipeFds[3]!, child.pipeFds[4]!)
          : new InitChannel(child.pipes[3]!, child.pipes[4]!),
        pid: child.pid,
        startTime: readStartTime(child.pid),
        exited: child.exited,
        released: false,
        done: false,
      };
      live.set(key(spec.project, spec.name), entry);
      void entry.exited.then((exitCode) => {
        entry.done = true;
        // Read before anyone removes the group: docker's OOMKilled means the kernel's OOM killer struck in it.
        const oomKilled = oomKills(spec.project, spec.name, spec.resources.cgroupParent) > 0;
        // A container with nothing to wire may be done before release() is called: its entry,
        // and the status pipe that may still hold an error line, stay for release() to read.
        if (entry.released) forget(spec.project, spec.name, entry);
        emit({ project: spec.project, name: spec.name, exitCode, pid: entry.pid, ...(oomKilled ? { oomKilled } : {}) });
      });
      // Unref'd: a CLI hosting the container (stack run) must not wait out this timer to exit.
      const first = await raceTimeout(entry.channel.next(), READY_TIMEOUT_MS, 'timeout' as const);
      if (first === 'timeout') return failStart(spec, entry, 'start', `not ready after ${READY_TIMEOUT_MS / 1000} s`);
      if (first?.event === 'error') return failStart(spec, entry, first.step, first.message);
      if (first === undefined) {
        const code = await entry.exited;
        return failStart(spec, entry, 'start', `init stage exited with code ${code} (see the container log)`);
      }
      return { pid: entry.pid, startTime: entry.startTime ?? 0 } satisfies SpawnedContainer;
    },

    async release(project, name) {
      const entry = live.get(key(project, name));
      if (!entry)
        throw new ContainerStartError(
          name,
          'release',
          'the init stage is not waiting (it exited, or another supervisor spawned it)',
        );
      entry.released = true;
      entry.channel.release();
      const status = await entry.channel.next();
      entry.channel.close();
      if (entry.done) forget(project, name, entry);
      if (status?.event === 'error') {
        await ensureGone(entry);
        throw new ContainerStartError(name, status.step, status.message);
      }
    },

    async drain(project, name, maxMs) {
      const record = await state.loadContainer(project, name);
      const pid = record?.pid ?? live.get(key(project, name))?.pid;
      if (pid && record?.startTime !== undefined && isSameProcess(pid, record.startTime))
        await drainConnections(pid, maxMs);
    },

    async stop(project, name, signal, graceSeconds) {
      const record = await state.loadContainer(project, name);
      const entry = live.get(key(project, name));
      const pid = record?.pid ?? entry?.pid;
      const startTime = record?.startTime ?? entry?.startTime;
      // An init stage still waiting for release ignores SIGTERM (PID 1 without a handler)
      // but leaves at once when its release pipe closes.
      if (entry && !entry.released) forget(project, name, entry);
      const parent = record?.spec.resources.cgroupParent;
      // As docker stops a paused container: thawed, or the signal waits (v1: even SIGKILL).
      await thawCgroups(project, name, parent);
      if (pid && startTime !== undefined && isSameProcess(pid, startTime))
        await signalThenKill(pid, startTime, signal, graceSeconds, entry?.exited, name);
      // Killing PID 1 ends its pid namespace; whatever escaped that is still in the cgroups.
      await killCgroups(project, name, parent);
      // An adopted one's exit is reported now, before anything starts its next process.
      adopted.settle(project, name);
    },

    async cleanup(project, name) {
      // The record is removed after the cleanup: its parent says where the groups are.
      const parent = await cgroupParentOf(project, name);
      await thawCgroups(project, name, parent);
      await removeCgroups(project, name, parent);
      removeSharedShm(project, name);
      await removeFreezer(project, name, parent);
      await removeTree(paths.containerDir(project, name));
      await cleanupMounts(project, name);
      // The log goes with the container, as docker's does: a later container of the same
      // name (a recreate, a replacement alternating names) starts a log of its own.
      // Its times, head and rotated files (store/log-segments.ts) go with it.
      await Promise.all(logFamily(paths.logFile(project, name)).map(removeFile));
    },

    async signal(project, name, signal) {
      const record = await state.loadContainer(project, name);
      // Only the process the record names: a reused pid is someone else's.
      if (record?.pid && isSameProcess(record.pid, record.startTime)) sendSignal(record.pid, signal, name);
    },

    async freeze(project, name, frozen) {
      const parent = await cgroupParentOf(project, name);
      if (frozen) await freezeCgroups(project, name, parent);
      else await thawCgroups(project, name, parent);
    },

    processes: async (project, name) =>
      containerProcesses(await cgroupPids(project, name, await cgroupParentOf(project, name))),

    async stats(project, name) {
      const record = await state.loadContainer(project, name);
      if (!record?.pid || !isSameProcess(record.pid, record.startTime)) return undefined;
      return containerStats(project, name, record.pid, record.spec.resources.cgroupParent);
    },

    async copy(project, name, direction, src, dest, opts) {
      const proc = await runningPid(project, name);
      if (direction === 'from-container') copyFromContainer(proc, src, dest, opts);
      else copyToContainer(proc, src, dest, opts);
    },

    // Loaded when used (as snapshotLayer's layer writer): tar-stream and node:zlib are ~4 ms of
    // CPU at the start of every `run`, `exec` and supervisor that never exports or commits.
    exportFs: async (project, name, out) =>
      (await import('./container-export.js')).exportContainer(await runningPid(project, name), out),

    async stdin(project, name) {
      await runningPid(project, name);
      const fd = stdinWriter(paths.containerDir(project, name));
      return fd === undefined ? undefined : createWriteStream('', { fd });
    },

    async snapshotLayer(project, name, outFile) {
      if (!(await state.loadContainer(project, name))) throw new CopyError(`container ${name} does not exist`);
      const upper = openFdTree(path.join(paths.containerDir(project, name), 'upper'));
      try {
        return await (await import('../../../images/build/layer-from-upper.js')).layerFromTree(upper, outFile);
      } finally {
        upper.close();
      }
    },

    exec: createContainerExec(state),
    sync: createContainerSync(state),

    adopt(project, name, pid, startTime) {
      if (!live.has(key(project, name))) adopted.add({ project, name, pid, startTime });
    },

    onExit(listener) {
      listeners.push(listener);
    },

    waitFor(project, name, condition, opts) {
      return pollCondition(
        () => state.loadContainer(project, name),
        (r) => isSameProcess(r.pid, r.startTime),
        condition,
        opts,
      );
    },
  };
}

/** Makes sure a failed init stage is gone (it exits by itself after reporting). */
async function ensureGone(entry: Live): Promise<void> {
  entry.channel.close();
  if (!entry.pid) return;
  const exited = await raceTimeout(
    entry.exited.then(() => true),
    2000,
    false,
  );
  if (!exited) {
    sendSignal(entry.pid, 'SIGKILL');
    await entry.exited;
  }
}
