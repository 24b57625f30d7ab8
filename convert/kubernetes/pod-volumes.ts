// The volumes of a pod and where its container mounts them: named volumes as claims,
// anonymous ones as emptyDir (they live as long as the pod, as a container's do in the
// stack until it is recreated), tmpfs and shm_size as memory-backed emptyDir, and each
// config or secret as one file at the path the stack mounts it. Host paths cannot follow
// a pod to another node: bind mounts are warnings.

import type { FileGrant, Service, VolumeMount } from '../../model/types.js';
import { configMapName, secretName, volumeClaimName, warnService, type ConvertContext } from './convert-context.js';
import { dnsLabel } from './k8s-names.js';

export interface PodVolumes {
  volumes: Record<string, unknown>[];
  mounts: Record<string, unknown>[];
}

/** The data key configs and secrets are kept under in their ConfigMap or Secret. */
export const CONTENT_KEY = 'content';

function memoryDir(size: number | undefined): Record<string, unknown> {
  return { emptyDir: { medium: 'Memory', ...(size !== undefined ? { sizeLimit: String(size) } : {}) } };
}

/** A host path as the file would write it: relative to the project folder when inside it. */
function shownPath(ctx: ConvertContext, abs: string): string {
  const dir = ctx.stack.projectDir.replace(/\/+$/, '');
  return abs === dir ? '.' : abs.startsWith(`${dir}/`) ? `./${abs.slice(dir.length + 1)}` : abs;
}

/** The claim a named volume is mounted from: its own, or an external volume's by its name. */
export function claimOf(ctx: ConvertContext, key: string): string {
  const volume = ctx.stack.volumes.find((v) => v.key === key);
  return volume?.external ? dnsLabel(volume.name) : volumeClaimName(key);
}

function mountOf(ctx: ConvertContext, service: Service, m: VolumeMount, path: (string | number)[], out: PodVolumes) {
  const readOnly = m.readOnly ? { readOnly: true } : {};
  if (m.type === 'bind') {
    warnService(
      ctx,
      service,
      path,
      `bind mount of the host path ${shownPath(ctx, m.source ?? '')} on ${m.target} is not carried over: a pod may run on any node; use a volume, a config or an image that holds the files`,
    );
    return;
  }
  let name: string;
  if (m.type === 'volume' && m.source !== undefined) {
    name = dnsLabel(`data-${m.source}`);
    if (!out.volumes.some((v) => v.name === name))
      out.volumes.push({ name, persistentVolumeClaim: { claimName: claimOf(ctx, m.source) } });
  } else {
    name = dnsLabel(`${m.type === 'tmpfs' ? 'tmpfs' : 'anon'}-${out.volumes.length}`);
    out.volumes.push({ name, ...(m.type === 'tmpfs' ? memoryDir(m.tmpfsSize) : { emptyDir: {} }) });
    if (m.tmpfsMode !== undefined)
      warnService(ctx, service, path, 'a tmpfs mode is not carried over (an emptyDir is made 0777)');
  }
  out.mounts.push({ name, mountPath: m.target, ...readOnly, ...(m.subpath ? { subPath: m.subpath } : {}) });
}

function grantOf(
  ctx: ConvertContext,
  service: Service,
  g: FileGrant,
  kind: 'configs' | 'secrets',
  i: number,
  out: PodVolumes,
) {
  const object = (kind === 'configs' ? ctx.stack.configs : ctx.stack.secrets).find((o) => o.key === g.source);
  const objectName = object?.external
    ? dnsLabel(object.name)
    : kind === 'configs'
      ? configMapName(g.source)
      : secretName(g.source);
  const name = dnsLabel(`${kind === 'configs' ? 'config' : 'secret'}-${i}-${g.source}`);
  const items = [{ key: CONTENT_KEY, path: CONTENT_KEY, ...(g.mode !== undefined ? { mode: g.mode } : {}) }];
  out.volumes.push(
    kind === 'configs'
      ? { name, configMap: { name: objectName, items } }
      : { name, secret: { secretName: objectName, items } },
  );
  out.mounts.push({ name, mountPath: g.target, subPath: CONTENT_KEY, readOnly: true });
  if (g.uid !== undefined || g.gid !== undefined)
    warnService(
      ctx,
      service,
      [kind, i],
      'the owner of a mounted file is not carried over (Kubernetes sets fsGroup per pod only)',
    );
}

export function podVolumes(ctx: ConvertContext, service: Service): PodVolumes {
  const out: PodVolumes = { volumes: [], mounts: [] };
  service.volumes.forEach((m, i) => mountOf(ctx, service, m, ['volumes', i], out));
  service.tmpfs.forEach((m, i) => mountOf(ctx, service, m, ['tmpfs', i], out));
  if (service.shmSizeBytes !== undefined) {
    out.volumes.push({ name: 'shm', ...memoryDir(service.shmSizeBytes) });
    out.mounts.push({ name: 'shm', mountPath: '/dev/shm' });
  }
  service.configs.forEach((g, i) => grantOf(ctx, service, g, 'configs', i, out));
  service.secrets.forEach((g, i) => grantOf(ctx, service, g, 'secrets', i, out));
  return out;
}

/** Named volumes the service writes to: their data must follow its pod (a StatefulSet). */
export function writtenVolumes(service: Service): string[] {
  return [
    ...new Set(service.volumes.filter((m) => m.type === 'volume' && m.source && !m.readOnly).map((m) => m.source!)),
  ];
}
