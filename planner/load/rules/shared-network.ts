// A service in `network_mode: service:X` (or `container:NAME`) lives in another container's
// network namespace and gets that container's /etc/hosts, resolv.conf and addresses, so
// its own settings for these would be silently dropped. Docker refuses each combination
// ("conflicting options: ... and the network mode"); so does stack, at the offending key.
// `networks` is checked with the other network_mode rules (networking.ts); `mac_address`
// and `links` are keys stack does not support at all (unsupported-keys.ts).

import { obj, type Obj, type RuleContext } from './context.js';

/** Per key: what the shared namespace gives the service instead, and where the setting belongs. */
const CONFLICTS: Record<string, { owns: string; fix: string }> = {
  ports: { owns: 'its ports are those of that namespace', fix: 'publish them' },
  expose: { owns: 'its ports are those of that namespace', fix: 'expose them' },
  extra_hosts: { owns: "it uses that container's /etc/hosts", fix: 'add the entries' },
  dns: { owns: "it uses that container's /etc/resolv.conf", fix: 'set them' },
  dns_search: { owns: "it uses that container's /etc/resolv.conf", fix: 'set them' },
  dns_opt: { owns: "it uses that container's /etc/resolv.conf", fix: 'set them' },
  hostname: { owns: "its /etc/hosts and its name on the network are that container's", fix: 'set it' },
};

/** A setting counts when it says something: `dns: []` or `ports: []` asks for nothing. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  const m = obj(v);
  return m ? Object.keys(m).length > 0 : true;
}

export function checkSharedNetworkNamespace(ctx: RuleContext, name: string, svc: Obj): void {
  const mode = svc.network_mode;
  if (typeof mode !== 'string' || !(mode.startsWith('service:') || mode.startsWith('container:'))) return;
  const owner = mode.startsWith('service:')
    ? `service "${mode.slice('service:'.length)}"`
    : `container "${mode.slice('container:'.length)}"`;
  for (const [key, { owns, fix }] of Object.entries(CONFLICTS)) {
    if (!isSet(svc[key])) continue;
    ctx.at(
      ['services', name, key],
      `service "${name}" sets "${key}" but uses network_mode ${mode}, where ${owns} (docker refuses this too); remove "${key}", or ${fix} on ${owner}`,
      'key',
    );
  }
}
