// The program that connects the user's network namespace to the host (model/rootless-connector.ts
// chooses): egress through its tap0, DNS through its forwarder at CONNECTOR_DNS, and the
// published ports bound on the host as the user.
//   slirp4netns: its API socket adds and removes each forward while it runs (port-forwards.ts).
//   pasta: this version has no control socket, so its forwards are its -t/-u options; a
//          changed set of forwards starts it again (namespace-holder.ts), as a killed one is.
// Both refuse the host's loopback to the namespace (--disable-host-loopback, --no-map-gw), as
// rootful mode gives containers no way to the host's own loopback services.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONNECTOR_DNS, chooseConnector, type ConnectorName } from '../../../../model/rootless-connector.js';
import { rootlessDir, slirpApiSocket } from './rootless-paths.js';
import { RootlessSetupError } from './setup-error.js';
import { holderMarkerEnv } from './holder-recovery.js';
import { which } from '../which.js';

const READY_TIMEOUT_MS = 10_000;

/** A host side forward: `tcp/127.0.0.1/8080` (the namespace's port is the same). */
export type ForwardKey = string;

export const logFile = (name: string) => path.join(rootlessDir(), `${name}.log`);
const openLog = (name: string) => fs.openSync(logFile(name), 'w', 0o600);

/** slirp4netns when installed, else pasta; STACK_ROOTLESS_NET picks one (model/rootless-connector.ts says why). */
export function connectorToUse(env: NodeJS.ProcessEnv = process.env): ConnectorName {
  return chooseConnector({ pasta: which('pasta'), slirp4netns: which('slirp4netns') }, env.STACK_ROOTLESS_NET);
}

/** Starts the connector for the holder's namespaces; resolves to its pid once tap0 is configured. */
export function startConnector(name: ConnectorName, holderPid: number, forwards: ForwardKey[]): Promise<number> {
  return name === 'pasta' ? startPasta(holderPid, forwards) : startSlirp(holderPid);
}

/** slirp4netns in the holder's namespaces; resolves once it configured tap0 (its ready fd). */
async function startSlirp(holderPid: number): Promise<number> {
  fs.rmSync(slirpApiSocket(), { force: true });
  const log = openLog('slirp4netns');
  const child = spawn(
    'slirp4netns',
    [
      '--configure',
      '--mtu=65520',
      // Containers must not reach the host's own loopback services, as in rootful mode.
      '--disable-host-loopback',
      `--api-socket=${slirpApiSocket()}`,
      '--ready-fd=3',
      String(holderPid),
      'tap0',
    ],
    { detached: true, stdio: ['ignore', log, log, 'pipe'], env: holderMarkerEnv() },
  );
  fs.closeSync(log);
  const ready = child.stdio[3]!;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new RootlessSetupError(
            `slirp4netns was not ready within ${READY_TIMEOUT_MS / 1000}s; see ${logFile('slirp4netns')}`,
          ),
        ),
      READY_TIMEOUT_MS,
    );
    ready.once('data', () => (clearTimeout(timer), resolve()));
    child.once(
      'exit',
      (code) => (
        clearTimeout(timer),
        reject(new RootlessSetupError(`slirp4netns exited (${code}); see ${logFile('slirp4netns')}`))
      ),
    );
    child.once(
      'error',
      (err) => (clearTimeout(timer), reject(new RootlessSetupError(`cannot run slirp4netns: ${err.message}`))),
    );
  });
  ready.destroy();
  child.removeAllListeners('exit');
  child.unref();
  return child.pid!;
}

/** pasta's -t/-u options for the forwards: `-t 127.0.0.1/8080` binds that address and port on the host. */
export function pastaForwardArgs(forwards: ForwardKey[]): string[] {
  const tcp: string[] = [];
  const udp: string[] = [];
  for (const key of forwards) {
    const [protocol, hostIp, port] = key.split('/');
    (protocol === 'udp' ? udp : tcp).push(`${hostIp}/${port}`);
  }
  const spec = (flag: string, specs: string[]) => (specs.length ? specs.flatMap((s) => [flag, s]) : [flag, 'none']);
  return [...spec('-t', tcp), ...spec('-u', udp)];
}

/**
 * pasta in the holder's namespaces. It configures tap0 (the host's address and routes copied,
 * as pasta does), then detaches: its launcher exits 0 once it is ready, and its pid is in
 * its pid file.
 */
async function startPasta(holderPid: number, forwards: ForwardKey[]): Promise<number> {
  const pidFile = path.join(rootlessDir(), 'pasta.pid');
  fs.rmSync(pidFile, { force: true });
  fs.rmSync(logFile('pasta'), { force: true });
  const child = spawn(
    'pasta',
    [
      '--config-net',
      '--ns-ifname',
      'tap0',
      // Containers must not reach the host's own loopback services through the gateway's address.
      '--no-map-gw',
      // Its DNS forwarder at slirp4netns's address: the stack's resolvers name one for both.
      '--dns-forward',
      CONNECTOR_DNS,
      ...pastaForwardArgs(forwards),
      // Nothing from the namespace to the host's ports.
      '-T',
      'none',
      '-U',
      'none',
      '--quiet',
      '--log-file',
      logFile('pasta'),
      '--pid',
      pidFile,
      String(holderPid),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: holderMarkerEnv() },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new RootlessSetupError(`pasta was not ready within ${READY_TIMEOUT_MS / 1000}s; see ${logFile('pasta')}`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (c) => (clearTimeout(timer), resolve(c)));
    child.once(
      'error',
      (err) => (clearTimeout(timer), reject(new RootlessSetupError(`cannot run pasta: ${err.message}`))),
    );
  });
  const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : 0);
  if (code !== 0 || !pid) {
    let log = '';
    try {
      log = fs.readFileSync(logFile('pasta'), 'utf8');
    } catch {
      /* none written */
    }
    // pasta says its error both in its log and on stderr: once is enough.
    const lines = (log + stderr).split('\n').map((l) => l.replace(/^[\d.]+: (ERROR|info|warning):\s*/, '').trim());
    const said = [...new Set(lines.filter((l) => l && !l.startsWith('Failed to send') && !l.startsWith('pasta ')))]
      .slice(-3)
      .join('; ');
    throw new RootlessSetupError(`pasta exited (${code}): ${said || `see ${logFile('pasta')}`}`);
  }
  return pid;
}
