// Resolves a `user:` value (name, uid, name:group, uid:gid) against the container's own
// /etc/passwd and /etc/group, as docker does: an unknown name is an error, an unknown
// number is used as is (gid 0, home /), and the user's supplementary groups come along.

import fs from 'node:fs';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups (the primary gid first). */
  groups: number[];
  home: string;
}

function readEntries(file: string): string[][] {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    /* an image without the file: only numeric ids resolve */
  }
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

const isNumber = (s: string) => /^\d+$/.test(s);

/** `root` is the directory the container's /etc is under ('/' once inside it). */
export function resolveUser(spec: string, root = '/', groupAdd: string[] = []): ResolvedUser {
  const [userPart = '', groupPart] = spec === '' ? ['0'] : spec.split(':');
  const passwd = readEntries(`${root}/etc/passwd`);
  const groupFile = readEntries(`${root}/etc/group`);
  const entry = passwd.find((e) => (isNumber(userPart) ? e[2] === userPart : e[0] === userPart));
  if (!entry && !isNumber(userPart))
    throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
  const uid = Number(entry?.[2] ?? userPart);
  let gid = Number(entry?.[3] ?? 0);
  if (groupPart !== undefined && groupPart !== '') {
    const group = groupFile.find((g) => (isNumber(groupPart) ? g[2] === groupPart : g[0] === groupPart));
    if (!group && !isNumber(groupPart))
      throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
    gid = Number(group?.[2] ?? groupPart);
  }
  const name = entry?.[0];
  const extra =
    name === undefined ? [] : groupFile.filter((g) => (g[3] ?? '').split(',').includes(name)).map((g) => Number(g[2]));
  // group_add: by number as it is, by name from the container's /etc/group, as docker does.
  const added = groupAdd.map((g) => {
    if (isNumber(g)) return Number(g);
    const group = groupFile.find((e) => e[0] === g);
    if (!group) throw new Error(`group_add: unable to find group ${g}: no matching entries in group file`);
    return Number(group[2]);
  });
  return { uid, gid, groups: [...new Set([gid, ...extra, ...added])], home: entry?.[5] || '/' };
}
