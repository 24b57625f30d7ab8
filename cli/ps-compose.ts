// `ps --format json` as docker compose v2 prints it: one object per line (JSON Lines, since
// compose 2.21) with the fields of docker's container formatter (Name, Service, State,
// Status, Publishers, …), so a script written for `docker compose ps --format json` reads
// stack's output. stack's own fields (pid, addresses, restarts, …) follow under their names.

import crypto from 'node:crypto';
import type { ContainerStatusRow } from '../supervisor/status.js';
import { humanDuration } from './human-duration.js';

/** compose's State: created, running, paused, restarting, removing, exited or dead. */
export function composeState(row: ContainerStatusRow): string {
  if (row.state === 'running') return row.paused ? 'paused' : 'running';
  return row.state;
}

/** docker's Status column: `Up 5 minutes (healthy)`, `Exited (1) 2 seconds ago`, `Created`. */
export function composeStatus(row: ContainerStatusRow, now: number): string {
  if (row.state === 'created') return 'Created';
  if (row.state === 'exited') {
    const ago = row.finishedAt ? ` ${humanDuration(now - Date.parse(row.finishedAt))} ago` : '';
    return `Exited (${row.exitCode ?? 0})${ago}`;
  }
  const up = `Up ${row.startedAt ? humanDuration(now - Date.parse(row.startedAt)) : 'Less than a second'}`;
  if (row.paused) return `${up} (Paused)`;
  if (row.health === 'starting') return `${up} (health: starting)`;
  return row.health && row.health !== 'unknown' ? `${up} (${row.health})` : up;
}

/**
 * A container ID as docker has one: stack names containers instead, so this is the sha256
 * of the project, the container's name and when it was made (a recreated container gets
 * another); 12 hex digits unless `noTrunc`, as docker prints it.
 */
export function containerId(project: string, row: ContainerStatusRow, noTrunc: boolean): string {
  const id = crypto
    .createHash('sha256')
    .update(`${project}/${row.instance}/${row.createdAt ?? ''}`)
    .digest('hex');
  return noTrunc ? id : id.slice(0, 12);
}

function truncate(text: string, max: number, noTrunc: boolean): string {
  return noTrunc || text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface ComposeContainer {
  ID: string;
  Name: string;
  Names: string;
  Image: string;
  Command: string;
  Project: string;
  Service: string;
  /** Unix seconds, as compose's ContainerSummary. */
  Created: number;
  CreatedAt: string;
  RunningFor: string;
  State: string;
  Status: string;
  Health: string;
  ExitCode: number;
  Publishers: { URL: string; TargetPort: number; PublishedPort: number; Protocol: string }[];
  Ports: string;
  Labels: string;
  LocalVolumes: string;
  Mounts: string;
  Networks: string;
  Size: string;
  [stackField: string]: unknown;
}

/** Go's time.Time String() in UTC, as docker's CreatedAt: `2026-12-06 18:00:00 +0000 UTC`. */
function goTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

export function composeContainer(
  project: string,
  row: ContainerStatusRow,
  opts: { now: number; noTrunc: boolean },
): ComposeContainer {
  // stack's own fields keep their names (scripts written for stack read them); the two
  // lists compose has in its own form (Mounts, Publishers) are left out.
  const { mounts: _mounts, publishers, ...stackFields } = row;
  const created = row.createdAt ? Date.parse(row.createdAt) : opts.now;
  return {
    ID: containerId(project, row, opts.noTrunc),
    Name: row.name,
    Names: row.name,
    Image: row.image,
    Command: JSON.stringify(truncate(row.command.join(' '), 20, opts.noTrunc)),
    Project: project,
    Service: row.service,
    Created: Math.floor(created / 1000),
    CreatedAt: goTime(new Date(created).toISOString()),
    RunningFor: `${humanDuration(opts.now - created)} ago`,
    State: composeState(row),
    Status: composeStatus(row, opts.now),
    Health: row.health && row.health !== 'unknown' ? row.health : '',
    ExitCode: row.exitCode ?? 0,
    Publishers: publishers.map((p) => ({
      URL: p.hostIp,
      TargetPort: p.containerPort,
      PublishedPort: p.hostPort,
      Protocol: p.protocol,
    })),
    Ports: row.ports.join(', '),
    Labels: Object.entries(row.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    LocalVolumes: String(row.mounts.filter((m) => m.type === 'volume').length),
    Mounts: row.mounts.map((m) => truncate(m.source, 15, opts.noTrunc)).join(','),
    Networks: [...new Set(row.addresses.map((a) => a.network))].join(','),
    Size: '0B',
    ...stackFields,
  };
}
