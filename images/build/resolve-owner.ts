// `COPY --chown=user[:group]` as docker reads it: numbers as they are, names looked up in the
// image's own /etc/passwd and /etc/group (through its layers, not the host's). A user given
// alone brings the user's primary group when it is a name, the same number when it is a
// number (docker's rule).

import fs from 'node:fs';
import { lookup, resolveInRoot } from './layer-stack.js';
import { OwnerLookupError } from './build-errors.js';

export function resolveOwner(spec: string, stack: string[]): { uid: number; gid: number } {
  const [user, group] = spec.split(':', 2) as [string, string | undefined];
  const passwd = user && !/^\d+$/.test(user) ? lookupName(stack, 'etc/passwd', user) : undefined;
  const uid = passwd ? Number(passwd[2]) : Number(user || 0);
  let gid: number;
  if (group === undefined || group === '') gid = passwd ? Number(passwd[3]) : uid;
  else if (/^\d+$/.test(group)) gid = Number(group);
  else {
    const entry = lookupName(stack, 'etc/group', group);
    gid = Number(entry[2]);
  }
  return { uid, gid };
}

function lookupName(stack: string[], file: string, name: string): string[] {
  const found = lookup(stack, resolveInRoot(stack, file));
  const text = found.kind === 'found' && found.stat.isFile() ? fs.readFileSync(found.file, 'utf8') : '';
  const entry = text
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === name && f.length >= 4);
  if (!entry)
    throw new OwnerLookupError(
      `--chown: no ${file === 'etc/passwd' ? 'user' : 'group'} ${name} in the image's /${file}`,
    );
  return entry;
}
