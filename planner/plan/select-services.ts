// `up SERVICE…`: the services a plan may touch. The named ones and everything they depend
// on (depends_on, and the service whose namespaces `network_mode: service:X` joins),
// unless --no-deps; every service when none is named.

import type { Service, Stack } from '../../model/types.js';
import { didYouMean } from '../../model/edit-distance.js';

/** The service whose network namespace `service` joins (`network_mode: service:X`), if any. */
export function sharedNamespaceOf(service: Service): string | undefined {
  return service.networkMode?.startsWith('service:') ? service.networkMode.slice('service:'.length) : undefined;
}

/**
 * `service` as its containers are made: one that joins X's network namespace also takes X's
 * hostname, as docker does for `--network container:X` (it shares X's /etc/hosts and
 * resolv.conf too, where X's hostname is the one written).
 */
export function withSharedHostname(stack: Pick<Stack, 'services'>, service: Service): Service {
  const shared = sharedNamespaceOf(service);
  const target = shared === undefined ? undefined : stack.services.find((s) => s.name === shared);
  return target ? { ...service, hostname: target.hostname ?? target.name } : service;
}

/**
 * The services whose namespaces `service` joins (network_mode, pid or ipc `service:X`): each
 * must run before it is spawned, and its replacement replaces `service` too.
 */
export function namespaceOwnersOf(service: Service): string[] {
  // Most services share nothing: no arrays and no Set for them (this runs per service, often).
  if (service.namespaces === undefined && !service.networkMode?.startsWith('service:')) return [];
  const modes = [service.networkMode, service.namespaces?.pid, service.namespaces?.ipc];
  const owners = modes.flatMap((m) => (m?.startsWith('service:') ? [m.slice('service:'.length)] : []));
  return [...new Set(owners)];
}

/**
 * `service` as its containers are made: one whose ipc namespace another joins (`ipc:
 * service:X`) and that says nothing of its own is `shareable`, as compose makes it (its
 * /dev/shm must be reachable by the joiner: executor/host/linux/shared-shm.ts).
 */
export function withShareableIpc(ipcOwners: ReadonlySet<string>, service: Service): Service {
  if (service.namespaces?.ipc !== undefined || !ipcOwners.has(service.name)) return service;
  return { ...service, namespaces: { ...service.namespaces, ipc: 'shareable' } };
}

/** The services whose ipc namespace another joins (`ipc: service:X`): one set per plan, not a scan per service. */
export function ipcOwners(stack: Pick<Stack, 'services'>): Set<string> {
  const prefix = 'service:';
  return new Set(
    stack.services.flatMap((s) =>
      s.namespaces?.ipc?.startsWith(prefix) ? [s.namespaces.ipc.slice(prefix.length)] : [],
    ),
  );
}

/** Services `service` needs running first: its depends_on entries and its namespace owner. */
export function prerequisitesOf(service: Service): string[] {
  const shared = sharedNamespaceOf(service);
  return [...service.dependsOn.map((d) => d.service), ...(shared ? [shared] : [])];
}

/** The services named (all when none is) and, unless `noDeps`, what they need; a name the file lacks selects nothing (see unknownServices). */
export function selectServices(stack: Stack, names: string[] | undefined, noDeps: boolean): Set<string> {
  const all = new Map(stack.services.map((s) => [s.name, s]));
  if (!names || names.length === 0) return new Set(all.keys());
  const selected = new Set<string>();
  const visit = (name: string) => {
    if (selected.has(name) || !all.has(name)) return;
    selected.add(name);
    if (!noDeps) for (const dep of prerequisitesOf(all.get(name)!)) visit(dep);
  };
  for (const name of names) visit(name);
  return selected;
}

/** One problem per name of `up SERVICE…` that the file (with its active profiles) does not have. */
export function unknownServices(stack: Stack, names: string[] | undefined): string[] {
  const all = stack.services.map((s) => s.name);
  return (names ?? [])
    .filter((name) => !all.includes(name))
    .map(
      (name) =>
        `service ${name} is not in the stack file (or a profile that is not active disables it)${didYouMean(name, all)}`,
    );
}

/**
 * `restart SERVICE…`: the named services and, transitively, every service that follows one
 * of them — `depends_on.X.restart: true`, or joining its network namespace — as compose
 * restarts such dependents after an explicit restart of their dependency.
 */
export function restartFollowers(stack: Pick<Stack, 'services'>, names: string[]): string[] {
  const out = new Set(names);
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stack.services) {
      if (out.has(s.name)) continue;
      const shared = namespaceOwnersOf(s).some((o) => out.has(o));
      if (shared || s.dependsOn.some((d) => d.restart && out.has(d.service))) {
        out.add(s.name);
        grew = true;
      }
    }
  }
  return [...out];
}
