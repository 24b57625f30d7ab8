// Stage: `extends`. A service that extends another starts from a copy of it (from the same
// file, or `file:` another one, resolved against the folder of the file that names it) and
// is merged over it with the multi-file merge rules; chains resolve base first. Runs per
// file after `include` (so included services can be extended) and before the file is merged
// with the others, as in compose-go. A base read from another file has its relative paths
// made absolute against that file's folder. Cycles and missing services are located errors.

import { didYouMean } from '../../model/edit-distance.js';
import type { Env } from './interpolate.js';
import {
  absPath,
  dirOf,
  displayDir,
  displayPath,
  isObj,
  loadDocument,
  report,
  type LoadContext,
  type LoadedDocument,
  type Obj,
} from './load-context.js';
import { applyResets, cloneTree, extendService } from './merge-files.js';
import { resolveServicePaths } from './relative-paths.js';
import { originOf, type Origin } from './source-map.js';

interface Scope {
  ctx: LoadContext;
  env: Env;
  /** Documents of other files named by `extends.file`, by absolute path. */
  others: Map<string, LoadedDocument | undefined>;
  /** `file#service` of every service resolved so far, so each is resolved once. */
  done: Set<string>;
}

/** Where `extends` (or its `file`/`service`) of a service was written. */
function extendsOrigin(service: Obj, key?: 'file' | 'service'): Origin | undefined {
  const ext = service.extends;
  return (key && isObj(ext) ? originOf(ext, key) : undefined) ?? originOf(service, 'extends');
}

function serviceOf(doc: LoadedDocument, name: string): Obj | undefined {
  const services = doc.value.services;
  return isObj(services) && isObj(services[name]) ? services[name] : undefined;
}

/**
 * Resolves `extends` of service `name` of `doc` in place. `chain` holds the services being
 * resolved (file#name), to find cycles. False when resolution failed (already reported).
 */
function resolveService(scope: Scope, doc: LoadedDocument, name: string, chain: string[]): boolean {
  const id = `${doc.abs}#${name}`;
  const service = serviceOf(doc, name);
  if (!service || scope.done.has(id) || service.extends === undefined) return true;
  const ok = extendOne(scope, doc, name, service, [...chain, id]);
  // A failure is reported once, not again for every service that extends this one.
  scope.done.add(id);
  return ok;
}

function extendOne(scope: Scope, doc: LoadedDocument, name: string, service: Obj, chain: string[]): boolean {
  const id = chain[chain.length - 1]!;
  const { ctx } = scope;
  const ext = service.extends;
  const ref = typeof ext === 'string' ? ext : isObj(ext) && typeof ext.service === 'string' ? ext.service : undefined;
  if (ref === undefined) {
    report(
      ctx,
      extendsOrigin(service),
      `"extends" of service "${name}" must be a service name or a mapping with "service" (and optionally "file")`,
    );
    return false;
  }
  if (chain.indexOf(id) < chain.length - 1) {
    const names = chain.slice(chain.indexOf(id)).map((c) => c.slice(c.lastIndexOf('#') + 1));
    report(
      ctx,
      extendsOrigin(service, 'service'),
      `extends cycle: ${names.join(' -> ')}; a service cannot extend itself, directly or through others`,
    );
    return false;
  }

  let baseDoc = doc;
  const file = isObj(ext) ? ext.file : undefined;
  if (file !== undefined) {
    if (typeof file !== 'string') {
      report(ctx, extendsOrigin(service, 'file'), `"extends.file" of service "${name}" must be a file name`);
      return false;
    }
    const abs = absPath(dirOf(doc.abs), file);
    if (!scope.others.has(abs)) scope.others.set(abs, abs === doc.abs ? doc : loadDocument(ctx, abs, scope.env));
    const other = scope.others.get(abs);
    if (!other) {
      const known = ctx.files.some((f) => f.path === displayPath(ctx, abs));
      if (!known)
        report(
          ctx,
          extendsOrigin(service, 'file'),
          `cannot read ${displayPath(ctx, abs)}, the file service "${name}" extends; check the path (it is relative to ${displayDir(ctx, dirOf(doc.abs))})`,
        );
      return false;
    }
    baseDoc = other;
  }

  const baseService = serviceOf(baseDoc, ref);
  if (!baseService) {
    const services = isObj(baseDoc.value.services) ? Object.keys(baseDoc.value.services) : [];
    const where = baseDoc === doc ? '' : ` in ${baseDoc.file.path}`;
    report(
      ctx,
      extendsOrigin(service, 'service'),
      `service "${name}" extends service "${ref}", which is not defined${where}${didYouMean(
        ref,
        services.filter((s) => baseDoc !== doc || s !== name),
      )}`,
    );
    return false;
  }
  if (!resolveService(scope, baseDoc, ref, chain)) return false;

  const base = cloneTree(serviceOf(baseDoc, ref)!);
  if (baseDoc !== doc) resolveServicePaths(base, dirOf(baseDoc.abs));
  // `!reset`/`!override` in the extending service drop what the base set there.
  applyResets({ services: { [name]: base } }, doc.resets);
  delete base.extends;
  const merged = extendService(base, service);
  delete merged.extends;
  (doc.value.services as Obj)[name] = merged;
  return true;
}

/** Resolves `extends` of every service of `doc` (in place). */
export function applyExtends(ctx: LoadContext, doc: LoadedDocument, env: Env): void {
  const services = doc.value.services;
  if (!isObj(services)) return;
  const scope: Scope = { ctx, env, others: new Map(), done: new Set() };
  for (const name of Object.keys(services)) resolveService(scope, doc, name, []);
}
