// `stack convert --format helm`: the manifests as a Helm chart whose values are the stack's
// variables (variable-places.ts finds where each lands). A templated string renders with
// Helm's `print` and `quote`, so any value stays one YAML string; text of the manifests
// that looks like a template (`{{`) is escaped.

import { stringify } from 'yaml';
import type { K8sObject } from '../kubernetes/convert-types.js';
import { manifestFileName, objectYaml } from '../kubernetes/manifest-yaml.js';
import { templateOf, type Path, type Places, type Template } from './variable-places.js';

export interface Chart {
  /** Path inside the chart folder → content. */
  files: Record<string, string>;
}

const goString = (s: string) => JSON.stringify(s);

/** The Helm action that renders a template as one quoted YAML string. */
export function helmAction(t: Template): string {
  if (t.parts.length === 2 && t.parts[0] === '' && t.parts[1] === '') return `{{ .Values.${t.variables[0]} | quote }}`;
  const args = t.parts.flatMap((p, i) => [
    ...(p === '' ? [] : [goString(p)]),
    ...(i < t.variables.length ? [`.Values.${t.variables[i]}`] : []),
  ]);
  return `{{ print ${args.join(' ')} | quote }}`;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  let cur = root as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
}

/** `{{` in literal text would start an action: Helm prints it from a string instead. */
const escapeActions = (text: string) => text.replace(/\{\{/g, '{{ "{{" }}');

function templateFile(object: K8sObject, index: number, places: Places): string {
  const copy = structuredClone(object);
  const actions: string[] = [];
  for (const place of places.values()) {
    if (place.object !== index) continue;
    setAt(copy, place.path, `__stack_helm_${actions.length}__`);
    actions.push(helmAction(templateOf(place)));
  }
  const text = escapeActions(objectYaml(copy));
  return text.replace(/__stack_helm_(\d+)__/g, (_m, n: string) => actions[Number(n)]!);
}

export function helmChart(
  project: string,
  objects: readonly K8sObject[],
  places: Places,
  values: Record<string, string>,
): Chart {
  const files: Record<string, string> = {
    'Chart.yaml': stringify({
      apiVersion: 'v2',
      name: project.replace(/_/g, '-'),
      description: `The ${project} stack, converted by stack convert`,
      type: 'application',
      version: '0.1.0',
    }),
    'values.yaml':
      '# The variables of the stack file: each sets every place of the manifests it filled.\n' +
      (Object.keys(values).length ? stringify(values) : '{}\n'),
  };
  objects.forEach((o, i) => (files[`templates/${manifestFileName(o)}`] = templateFile(o, i, places)));
  return { files };
}
