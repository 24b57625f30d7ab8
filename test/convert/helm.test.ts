// `stack convert --format helm`: a chart whose values are the stack's variables. The
// chart is rendered here by a small stand-in for Helm's template engine (the three
// actions the chart uses: `.Values.X | quote`, `print … | quote`, and the `{{` escape),
// with the values as they are and with other values; each rendering must be exactly what
// converting the stack loaded with those values gives, and valid for a cluster.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { convertToHelm, type MarkedLoad } from '../../convert/helm/convert-helm.js';
import { markerOf } from '../../convert/helm/variable-places.js';
import { convertToKubernetes } from '../../convert/kubernetes/convert-stack.js';
import { referencedVariables } from '../../cli/commands/convert-helm-action.js';
import { load } from '../planner/helpers.js';
import { k8sProblems } from './k8s-schema.js';

const TEXT = `name: shop
services:
  web:
    image: \${REGISTRY:-registry.example.com/team}/web:\${TAG:-1.27}
    command: ["echo", "{{ not a template }}", "$$HOME"]
    environment:
      GREETING: "hello \${NAME:-world}, again \${NAME:-world}"
      LEVEL: \${LEVEL}
    ports: ["\${PORT:-8080}:80"]
`;

function chartOf(env: Record<string, string>) {
  const variables = referencedVariables(TEXT);
  const marked: MarkedLoad[] = variables.map((variable, i) => {
    const marker = markerOf(i);
    try {
      return { variable, marker, stack: load(TEXT, { ...env, [variable]: marker }) };
    } catch {
      return { variable, marker };
    }
  });
  return convertToHelm(load(TEXT, env), marked);
}

const GO_STRING = /"(?:[^"\\]|\\.)*"/;

/** Helm's rendering of the chart's actions (text/template with sprig's `quote`), for these values. */
function render(template: string, values: Record<string, string>): string {
  const arg = (a: string) => (a.startsWith('.Values.') ? values[a.slice(8)]! : (JSON.parse(a) as string));
  return template.replace(/\{\{ (.*?) \}\}/g, (_m, action: string) => {
    if (action === '"{{"') return '{{';
    const quoted = /^(?:print (.*)|(\.Values\.\w+)) \| quote$/.exec(action);
    if (!quoted) throw new Error(`an action the chart should not have: ${action}`);
    const args = quoted[1]
      ? [...quoted[1].matchAll(new RegExp(`${GO_STRING.source}|\\.Values\\.\\w+`, 'g'))].map((m) => m[0])
      : [quoted[2]!];
    return JSON.stringify(args.map(arg).join(''));
  });
}

function rendered(files: Record<string, string>, values: Record<string, string>): unknown[] {
  return Object.keys(files)
    .filter((f) => f.startsWith('templates/'))
    .sort()
    .flatMap((f) => parseAllDocuments(render(files[f]!, values)).map((d) => d.toJS() as unknown));
}

const sortedObjects = (objects: unknown[]) =>
  [...objects].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('the helm chart', () => {
  const { chart, fixed } = chartOf({ LEVEL: 'info' });

  it('has the variables as values, with the values the stack had (defaults included)', () => {
    expect(chart.files['values.yaml']).toBe(
      '# The variables of the stack file: each sets every place of the manifests it filled.\n' +
        'LEVEL: info\nNAME: world\nREGISTRY: registry.example.com/team\nTAG: "1.27"\n',
    );
    // A port must be a number, so the marked load fails and PORT stays as it was.
    expect(fixed).toEqual(['PORT']);
  });

  it('matches its golden files', async () => {
    const all = Object.keys(chart.files)
      .sort()
      .map((f) => `# ${f}\n${chart.files[f]}`)
      .join('');
    await expect(all).toMatchFileSnapshot('golden/helm-chart.yaml');
  });

  it.each([
    ['as they are', { LEVEL: 'info', NAME: 'world', REGISTRY: 'registry.example.com/team', TAG: '1.27' }],
    ['changed', { LEVEL: 'debug "loud"', NAME: 'Ada {{x}}', REGISTRY: 'mirror.example.org/x', TAG: '2.0' }],
  ])('renders, with the values %s, exactly what converting with them gives', (_how, values) => {
    const objects = rendered(chart.files, values);
    const direct = convertToKubernetes(load(TEXT, values)).objects;
    expect(sortedObjects(objects)).toEqual(sortedObjects(direct as unknown[]));
    expect(k8sProblems(direct)).toEqual([]);
  });
});
