// A ConfigMap per config and a Secret per secret the stack defines, holding the content
// under one key (pod-volumes.ts mounts it as a file where the stack mounts it). The content
// is the file's (read by the caller), the inline `content:`, or the variable's value when
// the file was loaded. External ones are the cluster's to provide: referenced, not made.

import type { FileObject } from '../../model/types.js';
import { configMapName, secretName, warnTop, type ConvertContext } from './convert-context.js';
import type { K8sObject } from './convert-types.js';
import { objectLabels } from './labels.js';
import { CONTENT_KEY } from './pod-volumes.js';

function contentOf(ctx: ConvertContext, o: FileObject, kind: 'configs' | 'secrets'): Uint8Array {
  if (o.file !== undefined) {
    const bytes = ctx.options.fileContents[o.file];
    if (bytes) return bytes;
    warnTop(
      ctx,
      [kind, o.key, 'file'],
      `cannot read ${o.file}: the ${kind === 'configs' ? 'ConfigMap' : 'Secret'} is made empty`,
    );
    return new Uint8Array();
  }
  return new TextEncoder().encode(o.content ?? '');
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function configObjects(ctx: ConvertContext): K8sObject[] {
  const labels = objectLabels(ctx);
  const external = (o: FileObject, kind: string) => {
    warnTop(ctx, [kind, o.key], `${o.key} is external: the cluster must have it under the name ${o.name}`);
    return false;
  };
  const maps = ctx.stack.configs
    .filter((o) => !o.external || external(o, 'configs'))
    .map((o): K8sObject => {
      const bytes = contentOf(ctx, o, 'configs');
      const data = isUtf8(bytes)
        ? { data: { [CONTENT_KEY]: new TextDecoder().decode(bytes) } }
        : { binaryData: { [CONTENT_KEY]: base64(bytes) } };
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMapName(o.key), labels }, ...data };
    });
  const secrets = ctx.stack.secrets
    .filter((o) => !o.external || external(o, 'secrets'))
    .map((o): K8sObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName(o.key), labels },
      type: 'Opaque',
      data: { [CONTENT_KEY]: base64(contentOf(ctx, o, 'secrets')) },
    }));
  return [...maps, ...secrets];
}
