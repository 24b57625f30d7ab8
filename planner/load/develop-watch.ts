// `develop:` of a validated service → ServiceDevelop. Paths are relative to the project
// folder (resolveServicePaths made those of an extended or included file absolute already);
// `exec` reads as a post_start hook does (compose-go uses one type for both).

import path from 'node:path';
import type { ServiceDevelop, WatchAction, WatchRule } from '../../model/develop-watch.js';
import { stringList, toBool } from './coerce.js';
import { lifecycleHooks } from './lifecycle-hooks.js';

type Obj = Record<string, unknown>;
type Env = Record<string, string | undefined>;

function rule(raw: Obj, projectDir: string, env: Env): WatchRule {
  const out: WatchRule = {
    path: path.resolve(projectDir, String(raw.path)),
    action: raw.action as WatchAction,
    ignore: stringList(raw.ignore),
    include: stringList(raw.include),
    initialSync: toBool(raw.initial_sync) ?? false,
  };
  if (typeof raw.target === 'string') out.target = path.posix.resolve('/', raw.target);
  const exec = raw.exec && typeof raw.exec === 'object' ? lifecycleHooks([raw.exec], env)?.[0] : undefined;
  if (exec) out.exec = exec;
  return out;
}

/** The develop section, or undefined when the service has none. */
export function developOf(v: unknown, projectDir: string, env: Env): ServiceDevelop | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const watch = (v as Obj).watch;
  return { watch: Array.isArray(watch) ? watch.map((r) => rule(r as Obj, projectDir, env)) : [] };
}
