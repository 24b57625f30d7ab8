// Stage 4: semantic rules the schema cannot express. Runs on the loaded document even when
// the schema found problems, so it must not trust any shape: every access is checked.

import type { Diagnostic } from './diagnostics.js';
import { createRequire } from 'node:module';
import { closest, didYouMean } from './edit-distance.js';
import { findCycle } from './graph.js';
import { parsePort, shellSplit, ShellSplitError } from './short-forms.js';
import { diagAtPath, type PathSeg, type SourceFile } from './source-map.js';
import type { PortMapping } from './types.js';

type Obj = Record<string, unknown>;

/** The keys a service may have (from the schema), to tell a misspelt key from a missing one. */
const SERVICE_KEYS = new Set(Object.keys((createRequire(import.meta.url)('../schemas/stack.schema.json') as { definitions: { service: { properties: object } } }).definitions.service.properties));
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** The names a service refers to, each with the path of the entry (list item or map key). */
function references(service: Obj, key: string): { name: string; path: PathSeg[]; at: 'key' | 'value' }[] {
  const v = service[key];
  if (Array.isArray(v)) return v.flatMap((n, i) => (typeof n === 'string' ? [{ name: n, path: [key, i], at: 'value' as const }] : []));
  const m = obj(v);
  return m ? Object.keys(m).map((n) => ({ name: n, path: [key, n], at: 'key' as const })) : [];
}

/** Same shape as the schema's port string pattern: what is left wrong after it is a range. */
const PORT_SHAPE = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):(?:\d{1,5})?:|\d{1,5}:)?\d{1,5}(?:\/(?:tcp|udp))?$/;
const shapedPort = (e: unknown): boolean =>
  (typeof e === 'string' && PORT_SHAPE.test(e)) || (obj(e) !== undefined && obj(e)!.target !== undefined && /^\d+$/.test(String(obj(e)!.target)));

/** Same shape as the schema's stop_signal pattern. */
const STOP_SIGNAL_SHAPE = /^(SIG)?[A-Z0-9+-]+$/;
/** Linux signal names the container runtime can send (os.constants.signals on Linux). */
const SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGIOT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGCHLD', 'SIGSTKFLT', 'SIGCONT', 'SIGSTOP', 'SIGTSTP',
  'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPOLL',
  'SIGPWR', 'SIGSYS',
];
/** `SIGTERM`, `TERM` or a number 1–64. */
function isKnownSignal(s: string): boolean {
  if (/^\d+$/.test(s)) return Number(s) >= 1 && Number(s) <= 64;
  return SIGNALS.includes(s.startsWith('SIG') ? s : `SIG${s}`);
}

function overlaps(a: PortMapping, b: PortMapping): boolean {
  return a.protocol === b.protocol && a.hostPort === b.hostPort && (a.hostIp === undefined || b.hostIp === undefined || a.hostIp === b.hostIp);
}

export function validateRules(raw: unknown, files: readonly SourceFile[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: PathSeg[], message: string, where: 'key' | 'value' = 'value') => out.push(diagAtPath(files, path, message, where));
  const root = obj(raw) ?? {};
  const services = obj(root.services) ?? {};
  const names = Object.keys(services).sort();
  const declaredNetworks = Object.keys(obj(root.networks) ?? {});
  const deps = new Map<string, string[]>();
  const published: { service: string; path: PathSeg[]; port: PortMapping }[] = [];

  for (const name of names) {
    const svc = obj(services[name]);
    if (!svc) continue;
    const base: PathSeg[] = ['services', name];
    // `imgae: x` already gets "unknown key, did you mean image" from the schema.
    const misspelt = Object.keys(svc).some((k) => !SERVICE_KEYS.has(k) && ['image', 'build'].includes(closest(k, SERVICE_KEYS) ?? ''));
    if (svc.image === undefined && svc.build === undefined && !misspelt) {
      at(base, `service "${name}" has neither "image" nor "build"; set the image to run, or a build context to build it from`, 'key');
    }

    const depends = references(svc, 'depends_on');
    deps.set(name, depends.map((d) => d.name).filter((d) => d in services));
    for (const d of depends) {
      if (d.name in services) continue;
      const hint = didYouMean(d.name, names.filter((n) => n !== name));
      at([...base, ...d.path], `service "${name}" depends on unknown service "${d.name}"${hint}`, d.at);
    }

    for (const n of references(svc, 'networks')) {
      if (n.name === 'default' || declaredNetworks.includes(n.name)) continue;
      const hint = didYouMean(n.name, declaredNetworks);
      at([...base, ...n.path], `service "${name}" uses network "${n.name}", which is not declared in the top-level "networks"${hint}`, n.at);
    }

    for (const key of ['command', 'entrypoint']) {
      if (typeof svc[key] !== 'string') continue;
      try {
        shellSplit(svc[key]);
      } catch (e) {
        if (!(e instanceof ShellSplitError)) throw e;
        at([...base, key], `cannot split "${key}" of service "${name}" into arguments: ${e.message}`);
      }
    }

    const stopSignal = svc.stop_signal;
    // Values the schema already rejects (lowercase, not a string) get only its diagnostic.
    if (typeof stopSignal === 'string' && STOP_SIGNAL_SHAPE.test(stopSignal) && !isKnownSignal(stopSignal)) {
      const hint = /^\d+$/.test(stopSignal) ? '' : didYouMean(stopSignal.startsWith('SIG') ? stopSignal : `SIG${stopSignal}`, SIGNALS);
      at([...base, 'stop_signal'], `unknown stop_signal "${stopSignal}" of service "${name}"; use a signal name such as SIGTERM, SIGINT, SIGQUIT or SIGKILL, or a number from 1 to 64${hint}`);
    }

    const ports = Array.isArray(svc.ports) ? svc.ports : [];
    ports.forEach((entry, i) => {
      const path: PathSeg[] = [...base, 'ports', i];
      const port = parsePort(entry);
      if (!port) {
        if (shapedPort(entry)) at(path, `invalid port ${JSON.stringify(entry)} in service "${name}": port numbers must be between 1 and 65535`);
        return;
      }
      if (port.hostPort === 0) return;
      const clash = published.find((p) => overlaps(p.port, port));
      if (clash) {
        const what = `${port.hostIp ? `${port.hostIp}:` : ''}${port.hostPort}/${port.protocol}`;
        const other = clash.service === name ? 'the same service' : `service "${clash.service}"`;
        at(path, `host port ${what} of service "${name}" is already published by ${other}`);
      } else {
        published.push({ service: name, path, port });
      }
    });
  }

  const cycle = findCycle(deps);
  if (cycle) {
    const [first, second] = cycle as [string, string];
    const entry = references(obj(services[first])!, 'depends_on').find((d) => d.name === second)!;
    at(['services', first, ...entry.path], `dependency cycle: ${cycle.join(' -> ')}`, entry.at);
  }
  return out;
}
