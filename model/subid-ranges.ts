// /etc/subuid and /etc/subgid: `name:start:count` or `uid:start:count` a line, the ids
// newuidmap/newgidmap let a user map into a user namespace. Read by doctor (is there a
// usable range?) and by rootless mode (which range to map).

export interface IdRange {
  owner: string;
  start: number;
  count: number;
}

export function parseSubids(text: string): IdRange[] {
  const ranges: IdRange[] = [];
  for (const line of text.split('\n')) {
    const m = /^([^:#\s][^:]*):(\d+):(\d+)\s*$/.exec(line.trim());
    if (m) ranges.push({ owner: m[1]!, start: Number(m[2]), count: Number(m[3]) });
  }
  return ranges;
}

/** The first of the user's ranges (by name or uid) with at least `need` ids. */
export function rangeFor(text: string, user: { name: string; uid: number }, need: number): IdRange | undefined {
  return parseSubids(text).find((r) => (r.owner === user.name || r.owner === String(user.uid)) && r.count >= need);
}
