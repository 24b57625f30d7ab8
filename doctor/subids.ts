// Subordinate ids: rootless mode maps a user's containers onto the ranges /etc/subuid and
// /etc/subgid give that user (`name:start:count` or `uid:start:count` a line), through
// newuidmap/newgidmap. A container image needs 65536 ids (root to nobody); a range shared
// with another user would let that user's containers own this one's files.

import type { RootlessFacts, RootlessUser } from './rootless-facts.js';
import { fail, ok, type CheckResult } from './verdict.js';
import { parseSubids, type IdRange } from '../model/subid-ranges.js';

/** The ids an image's files may carry: 0 to 65535. */
export const MIN_SUBIDS = 65536;
/** Where useradd starts handing out ranges (SUB_UID_MIN of login.defs). */
const FIRST_START = 100_000;

export { parseSubids, type IdRange } from '../model/subid-ranges.js';

const overlaps = (a: IdRange, b: IdRange) => a.start < b.start + b.count && b.start < a.start + a.count;
const span = (r: IdRange) => `${r.start}-${r.start + r.count - 1}`;

/** The first block of MIN_SUBIDS ids from 100000 on that no range of either file touches. */
export function freeRange(taken: IdRange[]): IdRange {
  const candidate = { owner: '', start: FIRST_START, count: MIN_SUBIDS };
  for (;;) {
    const hit = taken.find((r) => overlaps(r, candidate));
    if (!hit) return candidate;
    candidate.start = hit.start + hit.count;
  }
}

interface FileVerdict {
  problem?: string;
  summary: string;
}

function judgeFile(file: string, text: string | undefined, user: RootlessUser): FileVerdict {
  if (text === undefined) return { problem: `${file} does not exist`, summary: '' };
  const ranges = parseSubids(text);
  const mine = ranges.filter((r) => r.owner === user.name || r.owner === String(user.uid));
  if (mine.length === 0) return { problem: `${file} has no range for ${user.name}`, summary: '' };
  const total = mine.reduce((n, r) => n + r.count, 0);
  const shared = ranges.filter((other) => !mine.includes(other) && mine.some((r) => overlaps(r, other)));
  const summary = `${file}: ${mine.map(span).join(', ')} (${total} ids)`;
  if (shared.length > 0)
    return {
      problem: `${summary} overlaps ${shared.map((r) => `${r.owner}'s ${span(r)}`).join(', ')}`,
      summary,
    };
  if (total < MIN_SUBIDS)
    return {
      problem: `${summary}: fewer than ${MIN_SUBIDS} (an image's files may be owned by any id up to 65535)`,
      summary,
    };
  return { summary };
}

export function subidsCheck(facts: RootlessFacts): CheckResult {
  const user = facts.user;
  if (!user) return ok('subids', 'not checked for root (see rootless)');
  const judged = [judgeFile('/etc/subuid', facts.subuid, user), judgeFile('/etc/subgid', facts.subgid, user)];
  const problems = judged.flatMap((j) => (j.problem ? [j.problem] : []));
  if (problems.length === 0) return ok('subids', judged.map((j) => j.summary).join('; '));
  const free = span(freeRange([...parseSubids(facts.subuid ?? ''), ...parseSubids(facts.subgid ?? '')]));
  return fail(
    'subids',
    `${problems.join('; ')}: rootless containers map their ids onto the user's own subordinate range`,
    `usermod --add-subuids ${free} --add-subgids ${free} ${user.name}${judged.some((j) => j.summary) ? ' (and remove the overlapping or short range with usermod --del-subuids/--del-subgids)' : ''}`,
  );
}
