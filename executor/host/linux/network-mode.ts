// Which network namespace a container's init stage is spawned into (ContainerSpec.networkMode):
// its own (default, `none`), the host's (`host`), or that of another container of the
// stack (`container:<name>`, from `network_mode: service:X`), found through its state record.
// openNamespaceOf joins the pid and ipc namespaces of another container the same way
// (shared-namespaces.ts).

import fs from 'node:fs';
import type { ContainerSpec } from '../../../model/plan.js';
import type { Host } from '../../host.js';
import type { NetnsChoice } from './namespace-window.js';
import { openNetnsOf } from './netns-socket.js';
import { isSameProcess } from '../../../store/proc-stat.js';
import { slotRecord } from '../../../store/slot-record.js';

/** The container whose namespace `mode` joins, for `container:<name>`. */
export function joinedContainer(mode: string | undefined): string | undefined {
  return mode?.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

/**
 * An fd of namespace `kind` (`/proc/PID/ns/<kind>`) of running container `target` of the
 * stack, and its PID; `key` names the compose key for messages. The fd is the caller's to close.
 */
export async function openNamespaceOf(
  spec: ContainerSpec,
  state: Host['state'],
  target: string,
  kind: 'net' | 'pid' | 'ipc',
  key: string,
): Promise<{ fd: number; pid: number; name: string }> {
  const what = kind === 'net' ? 'network' : kind;
  const record = await slotRecord(state.loadContainer, spec.project, target);
  if (!record?.pid || !isSameProcess(record.pid, record.startTime)) {
    throw new Error(
      `container ${spec.name}: ${key} needs container ${target} running to share its ${what} namespace, and it is not; start it first`,
    );
  }
  const fd = openNetnsOf(record.pid, kind);
  // A pid reused between the check and the open would give a stranger's namespace.
  if (!isSameProcess(record.pid, record.startTime)) {
    fs.closeSync(fd);
    throw new Error(`container ${spec.name}: container ${target} exited while its ${what} namespace was being joined`);
  }
  return { fd, pid: record.pid, name: record.spec.name };
}

/** The choice for the namespace window; a `join` fd is the caller's to close. */
export async function netnsFor(spec: ContainerSpec, state: Host['state']): Promise<NetnsChoice> {
  if (spec.networkMode === 'host') return 'host';
  const target = joinedContainer(spec.networkMode);
  if (!target) return 'new';
  return { join: (await openNamespaceOf(spec, state, target, 'net', 'network_mode')).fd };
}
