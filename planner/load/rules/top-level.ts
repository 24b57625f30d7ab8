// Top-level secrets and configs must say where their content comes from: exactly one of
// file, environment, content (configs only) or external.

import { toBool } from '../coerce.js';
import { obj, type RuleContext } from './context.js';

export function checkFileObjects(ctx: RuleContext): void {
  for (const section of ['secrets', 'configs'] as const) {
    const kind = section === 'secrets' ? 'secret' : 'config';
    const sources = section === 'secrets' ? ['file', 'environment'] : ['file', 'environment', 'content'];
    for (const key of ctx.declared(section)) {
      const v = obj(obj(ctx.root[section])?.[key]);
      if (!v) continue;
      const given = sources.filter((s) => v[s] !== undefined);
      const external = v.external !== undefined && toBool(v.external) !== false;
      // A misspelt key (`contnet:`) already has its own diagnostic from the schema.
      const misspelt = Object.keys(v).some(
        (k) => !k.startsWith('x-') && ![...sources, 'external', 'name', 'labels'].includes(k),
      );
      if (misspelt) continue;
      if (given.length + (external ? 1 : 0) === 1) continue;
      const choices = [...sources, 'external'].map((s) => `"${s}"`).join(', ');
      const what = given.length === 0 && !external ? 'has no source' : 'has more than one source';
      ctx.at([section, key], `${kind} "${key}" ${what}; give exactly one of ${choices}`, 'key');
    }
  }
}
