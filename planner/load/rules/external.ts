// External networks, volumes, secrets and configs are used as they are: the file may name
// them, nothing more. As compose-go's checks (validation/external.go, and the loader's
// refusal of `name` beside the legacy `external.name`): two names for one object is an
// error (stack used to drop the external one silently), and an external network cannot
// take a driver, IPAM or anything else that describes how to make it. External volumes'
// fields are checked in volumes.ts, with their own advice.

import { toBool } from '../coerce.js';
import { obj, type RuleContext } from './context.js';

const SECTIONS = { networks: 'network', volumes: 'volume', secrets: 'secret', configs: 'config' } as const;

export function checkExternalDeclarations(ctx: RuleContext): void {
  for (const [section, kind] of Object.entries(SECTIONS)) {
    for (const key of ctx.declared(section)) {
      const v = obj(obj(ctx.root[section])?.[key]);
      if (!v) continue;
      const legacy = obj(v.external);
      if (legacy?.name !== undefined && v.name !== undefined) {
        ctx.at(
          [section, key, 'external', 'name'],
          `${kind} "${key}" has both "name" and "external.name"; keep only "name" (with "external: true")`,
          'key',
        );
      }
      const external = legacy !== undefined || (v.external !== undefined && toBool(v.external) !== false);
      if (section !== 'networks' || !external) continue;
      for (const field of Object.keys(v)) {
        if (field === 'name' || field === 'external' || field.startsWith('x-')) continue;
        ctx.at(
          [section, key, field],
          `network "${key}" is external, used as it is and never made by stack, so its "${field}" cannot apply; remove "${field}" (compose rejects it too)`,
          'key',
        );
      }
    }
  }
}
