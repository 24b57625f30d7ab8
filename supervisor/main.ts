// Entry point of a stack's supervisor: `node bin/stack-supervisor.js PROJECT` (which runs this
// file bundled by scripts/bundle-cli.mjs; dist/supervisor/main.js runs too). It is the parent of
// the stack's containers, records their exits, and serves the control socket until `down`
// finishes. Started detached by the CLI; its output goes to supervisor.log.

import { hashWithNodeCrypto } from '../model/sha256.js';
import fs from 'node:fs';
import { traceMark } from '../store/trace-marks.js';
import path from 'node:path';
import { dup2 } from '../executor/host/linux/libc.js';
import { closeInheritedFds } from '../executor/host/linux/inherited-fds.js';
import { PROJECT_FROM_STDIN, readWholeFile } from './launch.js';
import { createLinuxHost } from '../executor/host/linux/linux-host.js';
import { paths } from '../store/paths.js';
import { makePrivateDirSync, openPrivateAppend } from '../store/private-files.js';
import { createLogTimes } from '../store/log-times.js';
import { canDropLogHead, dropLogHead } from '../executor/host/linux/log-head.js';
import { openJournal } from '../store/journal-file.js';
import { finishDownWhenFree } from './finish-down.js';
import { handleRequest } from './handlers.js';
import { createStackDns, hasRecordedNetworks } from './dns/stack-dns.js';
import { adoptRunning, exitedUnderPolicy } from './adopt.js';
import { listen } from './server.js';
import { takeSupervisorLock } from './supervisor-lock.js';
import { MAX_QUICK_CRASHES, QUICK_CRASH_MS, quickCrashes, startWatchdog, type Watchdog } from './watchdog.js';
import { systemClock } from './clock.js';
import { eventHistoryWriter } from '../store/event-history.js';
import { EventBus } from './events.js';
import { Lifecycle } from './lifecycle.js';
import { supervisorResources } from './resources.js';
import { watchStackFolder, type FolderWatch } from './stack-folder-watch.js';
import { downOrphaned } from './orphaned-down.js';
import { applyV8Settings } from './v8-settings.js';
import { openHostContext } from '../executor/host/linux/libnftables.js';
import { openWindow } from '../executor/host/linux/namespace-window.js';
import { warmContainerStarts } from '../executor/host/linux/threadpool-window.js';

/**
 * Started early by `up` (supervisor/launch.ts): the project comes on stdin once the CLI
 * knows it; EOF means it was not needed. Output then moves from the boot output (an
 * unlinked file on fds 1 and 2) to the stack's supervisor.log, where the CLI and users
 * look for it.
 */
async function projectFromStdin(): Promise<string> {
  let { text, complete } = firstLineSync();
  // fd 0 stays taken (by /dev/null): the next file opened, the stack's lock, must not become
  // the stdin that children given stdio 'inherit' get.
  if (complete) {
    const devNull = fs.openSync('/dev/null', 'r');
    dup2(devNull, 0);
    fs.closeSync(devNull);
  } else {
    for await (const chunk of process.stdin) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    process.stdin.destroy();
  }
  const project = text.split('\n')[0]!.trim();
  if (!project) process.exit(0);
  makePrivateDirSync(path.dirname(paths.supervisorLog(project)));
  const log = openPrivateAppend(paths.supervisorLog(project));
  fs.writeSync(log, readWholeFile(1));
  dup2(log, 1);
  dup2(log, 2);
  fs.closeSync(log);
  // `ps` (and whoever looks for a stack's supervisor) then sees the command line of one
  // started knowing its project: node, this script, the project.
  process.title = `${process.execPath} ${process.argv[1]} ${project}`;
  return project;
}

/**
 * Emitted once a request is finished: the loader (bin/stack-supervisor.js) then writes the
 * code cache at a clean exit, with the functions serving compiled.
 */
const SERVED_EVENT = 'stack-supervisor-served';

/**
 * What stdin holds up to its first newline (or EOF: `complete`), read with blocking reads:
 * the supervisor has nothing else to do until it knows its project, and process.stdin (a
 * socket with its stream machinery, read through an async iterator) cost the first `up`
 * ~10 ms on its critical path. A non-blocking stdin (EAGAIN) is left to process.stdin.
 */
function firstLineSync(): { text: string; complete: boolean } {
  const buf = Buffer.alloc(512);
  let text = '';
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EINTR') continue;
      if (code === 'EAGAIN') return { text, complete: false };
      throw err;
    }
    if (n === 0) return { text, complete: true };
    text += buf.toString('utf8', 0, n);
    if (text.includes('\n')) return { text, complete: true };
  }
}

/** How long a new supervisor waits for the lock: one that just died may hold it a moment longer. */
const LOCK_WAIT_MS = 1000;

async function main(): Promise<void> {
  traceMark('sup: main');
  const startedMs = Date.now();
  const crashes = quickCrashes(process.env, startedMs);
  // The CLI passes 0, 1 and 2 only; whoever else starts a supervisor may leave more open,
  // and every container would get them.
  closeInheritedFds();
  // Before the wait for the project: a supervisor started early by `up` does these meanwhile,
  // and its first plan and container starts find them done.
  applyV8Settings();
  hashWithNodeCrypto(); // loaded by applyV8Settings (LATE_BUILTINS)
  openHostContext();
  openWindow();
  if (process.argv[2] === PROJECT_FROM_STDIN) warmContainerStarts();
  traceMark('sup: warmed up');
  const project = process.argv[2] === PROJECT_FROM_STDIN ? await projectFromStdin() : process.argv[2];
  if (!project) throw new Error('usage: supervisor PROJECT | supervisor --project-from-stdin');
  traceMark('sup: project known');
  makePrivateDirSync(paths.runDir(project));
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  let watchdog: Watchdog | undefined;
  let folderWatch: FolderWatch | undefined;
  let leaving = false;
  /** This supervisor leaves on purpose: nothing is to replace it, nor make its socket again. */
  const leave = () => {
    leaving = true;
    folderWatch?.stop();
    server?.stopRemakingSocket();
    watchdog?.stop();
  };
  // Containers keep running if the supervisor is told to stop; the next one (the next
  // command starts it) adopts them. Handled before there is a watchdog to end: a stop
  // right after it started must not leave one behind (a refused `up` stops it so).
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      leave();
      process.exit(0);
    });
  }
  process.on('SIGHUP', () => {});
  // One supervisor per stack. Released by the kernel when this process ends, however.
  const lock = await takeSupervisorLock(project, LOCK_WAIT_MS);
  if (!lock) {
    log('another supervisor already serves this stack; exiting');
    process.exit(0);
  }
  traceMark('sup: lock taken');
  const linuxHost = createLinuxHost();
  const dns = createStackDns(project, log);

  const events = new EventBus();
  // Kept for `stack events --since/--until` (store/event-history.ts).
  const history = eventHistoryWriter(project);
  events.subscribe(history.append);
  const lifecycle = new Lifecycle({
    project,
    host: linuxHost,
    clock: systemClock,
    events,
    log,
    logTimes: createLogTimes(project, Date.now, { canDrop: canDropLogHead, drop: dropLogHead }),
    beforeRelease: () => dns.reload(),
    beforeStop: () => dns.reload(),
    beforeDrain: async (addresses) => {
      await dns.reload();
      await dns.forgotten(addresses);
    },
  });
  // The last step of a down removes the run folder, socket included; a crash from there on
  // must not start a supervisor for a stack that is gone. The event history stops first: an
  // append still queued would make events.jsonl again inside the folder being removed.
  const forget = async (p: string) => {
    leave();
    await history.close();
    try {
      await linuxHost.state.forget(p);
    } catch (err) {
      history.reopen();
      throw err;
    }
  };
  const host = { ...linuxHost, state: { ...linuxHost.state, forget } };
  const finishDown = finishDownWhenFree({
    project,
    host,
    journal: openJournal,
    dns,
    log,
    run: (task) => server!.run(task),
  });
  traceMark('sup: host made');
  server = await listen(
    paths.socket(project),
    (req, send) =>
      handleRequest(req, {
        project,
        host,
        hooks: lifecycle.hooks,
        send,
        dns,
        journal: openJournal,
        finishDown,
        restarts: lifecycle,
      }).finally(() => (process as NodeJS.EventEmitter).emit(SERVED_EVENT)),
    () => {
      log('stack is down; supervisor exits');
      leave();
      void server?.close().then(() => process.exit(0));
    },
    (req, send, conn) => {
      if (req.op === 'resources') {
        // At once, even while a request runs: a bench samples it between operations.
        send({ type: 'resources', resources: supervisorResources() });
        send({ type: 'done', pid: process.pid });
        return true;
      }
      if (req.op !== 'events') return false;
      const unsubscribe = events.subscribe((event) => send({ type: 'event', event }));
      conn.on('close', unsubscribe);
      // Once what was published before is in the file: the reader misses nothing between the two.
      void history.flushed().then(() => send({ type: 'subscribed' }));
      return true;
    },
  );
  traceMark('sup: listening');
  log(`supervisor ${process.pid} serving ${paths.socket(project)}`);
  // Watched from here on (a stack folder removed under a running stack, stack-folder-watch.ts):
  // the stack is taken down by name, in the request queue, and this supervisor exits.
  folderWatch = watchStackFolder(paths.stackDir(project), () => {
    leave();
    void server!.run(async () => {
      await history.close();
      // Whatever could not be removed stays for `stack down -p NAME` (cli/commands/leftovers-down.ts).
      await downOrphaned(project, host, lifecycle.hooks, log).catch((err: unknown) =>
        log(`taking the stack down failed: ${err instanceof Error ? err.message : String(err)}`),
      );
      return 'exit';
    });
  });
  // Read before adoption: an adopted container found dead has its exit recorded at once,
  // and the restart policy decides on that exit already.
  const owed = await exitedUnderPolicy(project);
  const adopted = await adoptRunning(project, host);
  if (adopted.length > 0) log(`adopted ${adopted.join(', ')} from a previous supervisor`);
  await lifecycle.watch(adopted);
  await lifecycle.takeOverRestarts(owed);
  traceMark('sup: adopted');
  // A supervisor that adopts a running stack serves its names at once; one with no network
  // has nowhere to serve them (a first `up`, whose request waits meanwhile).
  if (hasRecordedNetworks(project)) await dns.reload();
  traceMark('sup: names served');
  // Started once this one serves: one that cannot get this far is not started again and again.
  if (crashes >= MAX_QUICK_CRASHES)
    log(
      `the last ${crashes} supervisors of this stack crashed within ${QUICK_CRASH_MS / 1000} s of their start: this one is not replaced if it crashes too (the next stack command starts one)`,
    );
  else if (!leaving) watchdog = startWatchdog(project, startedMs, crashes);
  traceMark('sup: watchdog started');
}

/**
 * One line in supervisor.log. Logging must never end the supervisor: with STACK_ROOT full,
 * a write through process.stderr emitted an unhandled 'error' and killed it (no DNS, no
 * restarts, a stale socket). A line that cannot be written is lost; the next may fit.
 */
function log(line: string): void {
  try {
    fs.writeSync(2, `${new Date().toISOString()} ${line}\n`);
  } catch {
    // ENOSPC, EIO: nowhere to say it
  }
}
// Whatever else writes to stdout or stderr (Node's own warnings) must not kill it either.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

main().catch((err) => {
  log(`supervisor failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
