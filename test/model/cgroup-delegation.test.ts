// Which cgroup v2 subtree an ordinary user may make their containers' groups in: the
// topmost group above the command's own whose folder, cgroup.procs and cgroup.subtree_control
// are the user's, else systemd's user@UID.service (which the command must then run inside).

import { describe, expect, it } from 'vitest';
import { findCgroupDelegation, unifiedCgroupOf, type CgroupLook } from '../../model/cgroup-delegation.js';

const SYSTEMD = '/user.slice/user-1000.slice/user@1000.service';

/** A cgroupfs where `owned` folders (with their two files) are uid 1000's and the rest root's. */
function tree(owned: string[], controllers: Record<string, string> = {}): CgroupLook {
  const files = new Set(owned.flatMap((d) => [d, `${d}/cgroup.procs`, `${d}/cgroup.subtree_control`]));
  return {
    owner: (f) => (files.has(f) ? 1000 : 0),
    read: (f) => controllers[f.replace(/\/cgroup\.controllers$/, '')] ?? 'cpu memory pids',
  };
}

describe('findCgroupDelegation', () => {
  it("finds the topmost group above the command's own that is the user's", () => {
    const look = tree(['/alice', '/alice/session', '/alice/session/x']);
    expect(findCgroupDelegation(look, 1000, '/alice/session/x')).toEqual({ state: 'usable', dir: '/alice' });
  });

  it("finds systemd's user@UID.service when the command runs below it", () => {
    const own = `${SYSTEMD}/app.slice/run-r1.scope`;
    expect(findCgroupDelegation(tree([SYSTEMD, `${SYSTEMD}/app.slice`]), 1000, own)).toEqual({
      state: 'usable',
      dir: SYSTEMD,
    });
  });

  it("says when systemd's is there but the command runs outside it (a login session's scope)", () => {
    const own = '/user.slice/user-1000.slice/session-2.scope';
    expect(findCgroupDelegation(tree([SYSTEMD]), 1000, own)).toEqual({ state: 'outside', dir: SYSTEMD, own });
  });

  it("under sudo (no own group of the user's): systemd's alone", () => {
    expect(findCgroupDelegation(tree([SYSTEMD]), 1000, undefined)).toEqual({ state: 'usable', dir: SYSTEMD });
    expect(findCgroupDelegation(tree([]), 1000, undefined)).toEqual({ state: 'none', own: undefined });
  });

  it("a folder whose cgroup.subtree_control stays root's is not a delegation", () => {
    const look = tree(['/alice']);
    const owner = look.owner;
    look.owner = (f) => (f === '/alice/cgroup.subtree_control' ? 0 : owner(f));
    expect(findCgroupDelegation(look, 1000, '/alice/session')).toEqual({ state: 'none', own: '/alice/session' });
  });

  it('names the controllers the subtree is not given', () => {
    const look = tree(['/alice'], { '/alice': 'cpu pids' });
    expect(findCgroupDelegation(look, 1000, '/alice/s')).toEqual({
      state: 'missing-controllers',
      dir: '/alice',
      missing: ['memory'],
    });
  });

  it('reads the unified group from /proc/PID/cgroup (none on v1 alone)', () => {
    expect(unifiedCgroupOf('12:pids:/x\n0::/alice/session\n')).toBe('/alice/session');
    expect(unifiedCgroupOf('12:pids:/x\n')).toBeUndefined();
  });
});
