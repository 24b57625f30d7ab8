// Stage: profiles. A service that lists `profiles` is enabled only when one of them is
// active (`--profile`, repeatable, or COMPOSE_PROFILES; `*` enables all); a service without
// profiles is always enabled. Disabled services are left out of the stack. An enabled
// service that depends on a disabled one is an error, unless the dependency says
// `required: false`, in which case it is dropped — as docker compose does.

import type { Diagnostic } from '../../model/diagnostics.js';
import { isObj, type Obj } from './load-context.js';
import { diagAtPath, type SourceSet } from './source-map.js';

function profilesOf(service: unknown): string[] {
  const p = isObj(service) ? service.profiles : undefined;
  return Array.isArray(p) ? p.map(String) : [];
}

export function isEnabled(service: unknown, active: readonly string[]): boolean {
  const own = profilesOf(service);
  return own.length === 0 || active.includes('*') || own.some((p) => active.includes(p));
}

/** Removes disabled services from `doc.services` (in place); returns the dependency errors. */
export function applyProfiles(doc: Obj, active: readonly string[], files: SourceSet): Diagnostic[] {
  const services = doc.services;
  if (!isObj(services)) return [];
  const disabled = new Map<string, string[]>();
  for (const [name, s] of Object.entries(services)) if (!isEnabled(s, active)) disabled.set(name, profilesOf(s));
  const out: Diagnostic[] = [];
  for (const [name, s] of Object.entries(services)) {
    if (disabled.has(name) || !isObj(s)) continue;
    const deps = s.depends_on;
    const list: [string, unknown][] = Array.isArray(deps)
      ? deps.map((d) => [String(d), {}])
      : isObj(deps)
        ? Object.entries(deps)
        : [];
    const optional: string[] = [];
    list.forEach(([dep, cond], i) => {
      const profiles = disabled.get(dep);
      if (!profiles) return;
      if (isObj(cond) && cond.required === false) return void optional.push(dep);
      const path = Array.isArray(deps) ? ['services', name, 'depends_on', i] : ['services', name, 'depends_on', dep];
      const enable = profiles.map((p) => `--profile ${p}`).join(' or ');
      out.push(
        diagAtPath(
          files,
          path,
          `service "${name}" depends on service "${dep}", which is disabled: it is only in profile${profiles.length > 1 ? 's' : ''} ${profiles.map((p) => `"${p}"`).join(', ')}; enable it with ${enable} (or COMPOSE_PROFILES), or mark the dependency "required: false"`,
          Array.isArray(deps) ? 'value' : 'key',
        ),
      );
    });
    // Dropped after the errors are located, so list indices still match the file.
    for (const dep of optional) delete (deps as Obj)[dep];
  }
  for (const name of disabled.keys()) delete services[name];
  return out;
}
