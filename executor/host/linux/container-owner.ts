// The uid and gid a container's `user:` names, as the container sees them: numbers as they
// are, names looked up in the container's own /etc/passwd and /etc/group (read through its
// root, never the host's). A user alone brings its primary group (a number: the same
// number), as docker does. No user: root.

import fs from 'node:fs';
import { O_PATH, openInRoot, readHeldFile } from './in-root.js';

export interface Owner {
  uid: number;
  gid: number;
}

function entries(rootFd: number, file: string): string[][] {
  let held: number;
  try {
    held = openInRoot(rootFd, file, O_PATH);
  } catch {
    return [];
  }
  try {
    const text = readHeldFile(held, 16 << 20)?.toString('utf8');
    return text === undefined ? [] : text.split('\n').map((l) => l.split(':'));
  } finally {
    fs.closeSync(held);
  }
}

/** Undefined when a name is not in the container's files (the caller says what). */
export function containerOwner(rootFd: number, user: string | undefined): Owner | undefined {
  if (!user) return { uid: 0, gid: 0 };
  const [name, group] = user.split(':', 2) as [string, string | undefined];
  const passwd = /^\d+$/.test(name) ? undefined : entries(rootFd, 'etc/passwd').find((f) => f[0] === name);
  if (!/^\d+$/.test(name) && (!passwd || passwd.length < 4)) return undefined;
  const uid = passwd ? Number(passwd[2]) : Number(name);
  if (group === undefined || group === '') return { uid, gid: passwd ? Number(passwd[3]) : uid };
  if (/^\d+$/.test(group)) return { uid, gid: Number(group) };
  const entry = entries(rootFd, 'etc/group').find((f) => f[0] === group && f.length >= 3);
  return entry ? { uid, gid: Number(entry[2]) } : undefined;
}
