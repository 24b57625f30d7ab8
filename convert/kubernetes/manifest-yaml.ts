// Objects as YAML: one multi-document stream (stdout), or one file per object (-o DIR),
// named `<kind>-<name>.yaml` so a listing reads like `kubectl get`.

import { stringify } from 'yaml';
import type { K8sObject } from './convert-types.js';

const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

export function objectYaml(o: K8sObject): string {
  return stringify(o, OPTIONS);
}

export function manifestStream(objects: readonly K8sObject[]): string {
  return objects.map((o) => `---\n${objectYaml(o)}`).join('');
}

export function manifestFileName(o: K8sObject): string {
  return `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
}
