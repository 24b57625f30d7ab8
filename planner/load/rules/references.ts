// References from a service to things declared elsewhere in the file: services it depends
// on, networks, named volumes, secrets, configs and `network_mode: service:NAME`. Each
// unknown name is reported where it is written, with the closest declared name.

import { didYouMean } from '../../../model/edit-distance.js';
import { list, obj, references, type Obj, type RuleContext } from './context.js';
import { isHostPath } from '../mounts.js';

function dependsOn(ctx: RuleContext, name: string, svc: Obj): void {
  for (const d of references(svc, 'depends_on')) {
    if (ctx.services.has(d.name)) continue;
    const hint = didYouMean(
      d.name,
      ctx.names.filter((n) => n !== name),
    );
    ctx.at(['services', name, ...d.path], `service "${name}" depends on unknown service "${d.name}"${hint}`, d.at);
  }
}

function networks(ctx: RuleContext, name: string, svc: Obj): void {
  const declared = ctx.declared('networks');
  for (const n of references(svc, 'networks')) {
    if (n.name === 'default' || declared.includes(n.name)) continue;
    ctx.at(
      ['services', name, ...n.path],
      `service "${name}" uses network "${n.name}", which is not declared in the top-level "networks"${didYouMean(n.name, declared)}`,
      n.at,
    );
  }
}

/** The named volume a `volumes:` entry uses, if any. */
function namedVolume(entry: unknown): string | undefined {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    return parts.length >= 2 && parts[0] !== '' && !isHostPath(parts[0]!) ? parts[0] : undefined;
  }
  const e = obj(entry);
  return e && e.type === 'volume' && typeof e.source === 'string' && e.source !== '' ? e.source : undefined;
}

function volumes(ctx: RuleContext, name: string, svc: Obj): void {
  const declared = ctx.declared('volumes');
  list(svc.volumes).forEach((entry, i) => {
    const vol = namedVolume(entry);
    if (vol === undefined || declared.includes(vol)) return;
    const path = ['services', name, 'volumes', i, ...(typeof entry === 'string' ? [] : ['source'])];
    const fix =
      didYouMean(vol, declared) ||
      `; declare it under the top-level "volumes", or write ./${vol} to mount a folder of the project`;
    ctx.at(path, `service "${name}" mounts volume "${vol}", which is not declared in the top-level "volumes"${fix}`);
  });
}

function grants(ctx: RuleContext, name: string, svc: Obj, section: 'secrets' | 'configs'): void {
  const declared = ctx.declared(section);
  list(svc[section]).forEach((entry, i) => {
    const source = typeof entry === 'string' ? entry : obj(entry)?.source;
    if (typeof source !== 'string' || declared.includes(source)) return;
    const path = ['services', name, section, i, ...(typeof entry === 'string' ? [] : ['source'])];
    const kind = section === 'secrets' ? 'secret' : 'config';
    ctx.at(
      path,
      `service "${name}" uses ${kind} "${source}", which is not declared in the top-level "${section}"${didYouMean(source, declared)}`,
    );
  });
}

function networkMode(ctx: RuleContext, name: string, svc: Obj): void {
  const mode = svc.network_mode;
  if (typeof mode !== 'string' || !mode.startsWith('service:')) return;
  const other = mode.slice('service:'.length);
  if (other === name)
    ctx.at(['services', name, 'network_mode'], `service "${name}" cannot share the network of itself`);
  else if (!ctx.services.has(other)) {
    ctx.at(
      ['services', name, 'network_mode'],
      `service "${name}" shares the network of unknown service "${other}"${didYouMean(
        other,
        ctx.names.filter((n) => n !== name),
      )}`,
    );
  }
}

export function checkReferences(ctx: RuleContext, name: string, svc: Obj): void {
  dependsOn(ctx, name, svc);
  networks(ctx, name, svc);
  volumes(ctx, name, svc);
  grants(ctx, name, svc, 'secrets');
  grants(ctx, name, svc, 'configs');
  networkMode(ctx, name, svc);
}
