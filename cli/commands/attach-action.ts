// What `stack attach` does (loaded only when it runs; see attach.ts). The container writes
// straight into its log file (no relay process), so its output is followed there from now
// on; its stdin, with `stdin_open`, is the FIFO the Host opens for writing. The signals this
// process gets go to the container's PID 1 (--sig-proxy, the default, as docker's); the
// detach keys (ctrl-p,ctrl-q) in stdin detach, leaving it running. Ends with the container,
// exiting with its exit code, as docker attach does.

import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import { containerStatus, logFileOf } from '../../supervisor/status.js';
import { EXIT } from '../errors.js';
import { recordedExitOf } from '../recorded-exit.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';
import { serviceContainers } from '../service-containers.js';
import { printLog } from './logs-action.js';
import { detachKeys, detachScanner } from '../detach-keys.js';

export interface AttachOptions {
  index?: string;
  stdin: boolean;
  sigProxy: string | boolean;
  detachKeys: string;
}

const POLL_MS = 200;
const PROXIED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function attach(globals: GlobalOptions, service: string, opts: AttachOptions): Promise<number> {
  const sigProxy = String(opts.sigProxy);
  if (sigProxy !== 'true' && sigProxy !== 'false')
    throw new UsageError(`--sig-proxy takes true or false, not "${sigProxy}"`);
  const keys = detachKeys(opts.detachKeys);
  const project = projectOf(globals);
  const [target] = await serviceContainers(project, service, { index: opts.index ?? '1' });
  if (target!.state !== 'running')
    throw new UsageError(`cannot attach to a stopped container: ${target!.name}; \`stack start\` it first`);
  const host = createLinuxHost();
  const stop = new AbortController();
  const following = printLog(logFileOf(project, target!.instance), '', true, 0, {}, stop.signal);
  let detached = false;
  const stdin = opts.stdin ? await host.containers.stdin(project, target!.instance) : undefined;
  if (opts.stdin) {
    const scan = detachScanner(keys);
    process.stdin.on('data', (chunk: Buffer) => {
      const { pass, detach } = scan(chunk);
      if (pass.length > 0) stdin?.write(pass);
      if (detach) detached = true;
    });
  }
  const proxy = (signal: NodeJS.Signals) =>
    void host.containers.signal(project, target!.instance, signal).catch(() => {});
  const ignore = () => {};
  for (const s of PROXIED)
    process.on(s, sigProxy === 'true' ? proxy : s === 'SIGWINCH' ? ignore : () => (detached = true));
  try {
    for (;;) {
      if (detached) return EXIT.ok;
      const row = (await containerStatus(project)).find((r) => r.instance === target!.instance);
      if (row?.state !== 'running') {
        // Its process can be gone a moment before the supervisor records the exit code.
        const code = await recordedExitOf(project, target!.instance);
        stop.abort();
        await following;
        return code ?? EXIT.ok;
      }
      await sleep(POLL_MS);
    }
  } finally {
    stop.abort();
    await following;
    process.stdin.pause();
    stdin?.destroy();
    for (const s of PROXIED) process.removeAllListeners(s);
  }
}
