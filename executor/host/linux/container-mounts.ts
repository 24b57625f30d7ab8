// The host's half of a container's mounts: before spawn, volumes exist in the store, bind
// sources exist (or are created when the file allows it), and secrets and configs are
// rendered with their owner and mode into the container's run directory; then the init
// stage gets every mount as host paths (init/mounts.ts mounts them), an image mount as its
// layer folders (image-mount-layers.ts).

import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContainerSpec, MountSpec } from '../../../model/plan.js';
import type { InitMount } from './init/mounts.js';
import { paths } from '../../../store/paths.js';
import { ensureVolume, volumeDataDir, VolumeError } from '../../../store/volumes.js';
import { imageMountDirs, keptShadow } from './image-mount-layers.js';
import { removeTree } from './remove-tree.js';

const filesDir = (spec: ContainerSpec) => path.join(paths.containerRunDir(spec.project, spec.name), 'files');
/** Rendered files are named by their place in spec.mounts: targets may share a basename. */
const renderedFile = (spec: ContainerSpec, index: number) => path.join(filesDir(spec), String(index));

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

export async function prepareMounts(spec: ContainerSpec): Promise<void> {
  for (const [i, m] of spec.mounts.entries()) {
    if (m.type === 'volume') {
      const { device, volume } = m;
      await ensureVolume(m.source, {
        project: spec.project,
        anonymous: !!m.anonymous,
        external: !!m.external,
        ...(device ? { device } : {}),
        ...(volume ? { volume } : {}),
      });
      if (m.subpath) await checkSubpath(spec, m, m.subpath);
    } else if (m.type === 'bind' && !(await exists(m.source))) {
      if (m.createHostPath === false)
        throw new VolumeError(
          `container ${spec.name}: bind source ${m.source} does not exist (bind.create_host_path is false)`,
        );
      await fs.mkdir(m.source, { recursive: true });
    } else if (m.type === 'file') {
      await renderFile(spec, m, renderedFile(spec, i));
    }
  }
}

/** The host folder a volume mount starts from: its device, else its `_data` in the store. */
const volumeRoot = (m: MountSpec) => m.device ?? volumeDataDir(m.source);

/**
 * A volume's subpath must exist, as docker requires, and be reached without a symlink: the
 * volume's content is the containers', and a link planted there (`sub -> /`) would
 * otherwise make the mount source a host folder.
 */
async function checkSubpath(spec: ContainerSpec, m: MountSpec, subpath: string): Promise<void> {
  let at = volumeRoot(m);
  for (const part of subpath.split('/').filter((p) => p !== '' && p !== '.')) {
    at = path.join(at, part);
    const stat = await fs.lstat(at).catch(() => undefined);
    const problem = !stat ? 'does not exist' : stat.isSymbolicLink() ? 'is a symbolic link' : undefined;
    if (problem)
      throw new VolumeError(
        `container ${spec.name}: subpath "${subpath}" of volume ${m.source} for ${m.target}: ${path.relative(volumeRoot(m), at)} ${problem} in the volume`,
      );
  }
}

async function renderFile(spec: ContainerSpec, m: MountSpec, file: string): Promise<void> {
  // Only root on the host may read what the container gets (secrets included).
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.chmod(path.dirname(file), 0o700);
  const data =
    m.content !== undefined
      ? m.content
      : await fs.readFile(m.source).catch((err: NodeJS.ErrnoException) => {
          throw new VolumeError(
            `container ${spec.name}: cannot read ${m.source} for ${m.target}: ${err.code ?? err.message}`,
          );
        });
  await fs.rm(file, { force: true });
  await fs.writeFile(file, data, { mode: 0o600 });
  await fs.chown(file, m.uid ?? 0, m.gid ?? 0);
  await fs.chmod(file, m.mode ?? 0o444);
}

export async function initMounts(spec: ContainerSpec): Promise<InitMount[]> {
  const mounts: InitMount[] = [];
  for (const [i, m] of spec.mounts.entries()) {
    mounts.push(initMount(spec, m, i, m.type === 'image' ? await imageLowers(spec, m) : []));
  }
  return mounts;
}

/** The lower folders of an image mount's overlay: what it shows, and a shadow below one alone (image-mount-layers.ts). */
async function imageLowers(spec: ContainerSpec, m: MountSpec): Promise<string[]> {
  const dirs = await imageMountDirs(m, spec.name);
  return dirs.length > 1 ? dirs : [dirs[0]!, await keptShadow(dirs[0]!)];
}

/** `imageDirs`: the lower folders of an image mount, top first. */
function initMount(spec: ContainerSpec, m: MountSpec, i: number, imageDirs: string[]): InitMount {
  const common = { target: m.target, readOnly: m.readOnly };
  switch (m.type) {
    case 'tmpfs':
      return {
        kind: 'tmpfs',
        source: '',
        ...common,
        ...(m.tmpfsSize !== undefined ? { tmpfsSize: m.tmpfsSize } : {}),
        ...(m.tmpfsMode !== undefined ? { tmpfsMode: m.tmpfsMode } : {}),
      };
    case 'volume':
      return { kind: 'bind', source: path.join(volumeRoot(m), m.subpath ?? ''), ...common, copyUp: !m.noCopy };
    case 'bind':
      return { kind: 'bind', source: m.source, ...common, ...(m.propagation ? { propagation: m.propagation } : {}) };
    case 'file':
      return { kind: 'bind', source: renderedFile(spec, i), ...common, readOnly: true };
    case 'image':
      // A read-only overlay (nosuid, nodev) even of one folder: a bind would show its whiteouts.
      return {
        kind: 'overlay',
        source: imageDirs.join(':'),
        ...common,
        readOnly: true,
      };
  }
}

/** Rendered secrets and configs go with the container. */
export async function cleanupMounts(project: string, name: string): Promise<void> {
  await removeTree(paths.containerRunDir(project, name));
}
