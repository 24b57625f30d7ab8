// Golden output of `stack convert --format kubernetes` for the examples and for a stack
// that uses every feature the converter carries over; every object must be one a cluster
// takes (k8s-schema.ts: the Kubernetes v1.33 OpenAPI schemas, unknown fields, names).

import { describe, expect, it } from 'vitest';
import { convertToKubernetes } from '../../convert/kubernetes/convert-stack.js';
import { manifestStream } from '../../convert/kubernetes/manifest-yaml.js';
import type { ConvertOptions } from '../../convert/kubernetes/convert-types.js';
import { k8sProblems } from './k8s-schema.js';
import { loadExample } from './load-example.js';

const CASES: [name: string, file: string, options: Partial<ConvertOptions>][] = [
  ['hello', 'examples/hello/stack.yaml', {}],
  ['webapp', 'examples/webapp/stack.yaml', { publishAs: 'NodePort' }],
  [
    'every-feature',
    'test/convert/every-feature/stack.yaml',
    {
      registry: 'registry.example.com',
      imageDigests: { 'registry.example.com/shop/web:1.0': `sha256:${'ab'.repeat(32)}` },
    },
  ],
];

describe.each(CASES)('%s', (name, file, options) => {
  const { stack, fileContents } = loadExample(file);
  const converted = convertToKubernetes(stack, { ...options, fileContents });

  it('every object validates against the Kubernetes schemas', () => {
    expect(converted.objects.length).toBeGreaterThan(0);
    expect(k8sProblems(converted.objects)).toEqual([]);
  });

  it('matches its golden manifests and warnings', async () => {
    const warnings = converted.warnings.map((w) => `# warning: ${w.path.join('.')}: ${w.message}\n`).join('');
    await expect(warnings + manifestStream(converted.objects)).toMatchFileSnapshot(`golden/${name}.yaml`);
  });
});
