// The rootless section's checks as pure functions: each one fed facts that differ from a
// ready host in the one piece it is about, for every branch (ok, warn, fail, and root
// without a user to check for).

import { describe, expect, it } from 'vitest';
import {
  idMappersCheck,
  rootlessCgroupsCheck,
  rootlessNetworkCheck,
  rootlessUserCheck,
  runtimeDirCheck,
  tunCheck,
  userNamespacesCheck,
  usernsOverlayCheck,
} from '../../doctor/rootless.js';
import type { RootlessFacts } from '../../doctor/rootless-facts.js';
import { freeRange, parseSubids, subidsCheck } from '../../doctor/subids.js';

const SETUID = { setuidRoot: true, capabilities: undefined };

/** A cgroup v2 host ready for rootless mode, seen by alice (uid 1000) herself. */
function ready(change: (f: RootlessFacts) => void = () => {}): RootlessFacts {
  const facts: RootlessFacts = {
    user: { name: 'alice', uid: 1000, viaSudo: false },
    newuidmap: { path: '/usr/bin/newuidmap', ...SETUID },
    newgidmap: { path: '/usr/bin/newgidmap', ...SETUID },
    subuid: 'bob:100000:65536\nalice:165536:65536\n',
    subgid: 'bob:100000:65536\n1000:165536:65536\n',
    maxUserNamespaces: '63459',
    unprivilegedUsernsClone: undefined,
    apparmorRestrictUserns: undefined,
    kernelRelease: '6.1.0-28-amd64',
    pasta: '/usr/bin/pasta',
    slirp4netns: '/usr/bin/slirp4netns',
    cgroupV2: true,
    delegation: { state: 'usable', dir: '/user.slice/user-1000.slice/user@1000.service' },
    runtimeDir: '/run/user/1000',
    runtimeDirStat: { uid: 1000, mode: 0o700, isDirectory: true },
    tun: { uid: 0, mode: 0o20666, isDirectory: false },
  };
  change(facts);
  return facts;
}

const asRoot = (f: RootlessFacts) => {
  f.user = undefined;
  f.runtimeDir = undefined;
  f.runtimeDirStat = undefined;
};

describe('rootless: for whom', () => {
  it('names the user, says when sudo named them, and tells root the mode is for ordinary users', () => {
    expect(rootlessUserCheck(ready())).toMatchObject({
      verdict: 'ok',
      detail: expect.stringMatching(/rootless mode for alice, uid 1000$/),
    });
    const sudo = rootlessUserCheck(ready((f) => (f.user = { name: 'alice', uid: 1000, viaSudo: true })));
    expect(sudo.detail).toContain('($SUDO_USER)');
    expect(rootlessUserCheck(ready(asRoot))).toMatchObject({
      verdict: 'ok',
      detail: expect.stringContaining('rootless mode is for ordinary users'),
    });
  });
});

describe('rootless: newuidmap and newgidmap', () => {
  it('setuid root or the capability is ok', () => {
    expect(idMappersCheck(ready())).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('setuid root') });
    const caps = ready((f) => {
      f.newuidmap = { path: '/usr/bin/newuidmap', setuidRoot: false, capabilities: 'cap_setuid=ep' };
      f.newgidmap = { path: '/usr/bin/newgidmap', setuidRoot: false, capabilities: 'cap_setgid=ep' };
    });
    expect(idMappersCheck(caps)).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('cap_setuid=ep') });
  });

  it('missing: fails with apt-get install uidmap', () => {
    expect(idMappersCheck(ready((f) => (f.newgidmap = undefined)))).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('no newgidmap on PATH'),
      fix: 'apt-get install uidmap',
    });
  });

  it('neither setuid nor capable (or the wrong capability): fails naming the file', () => {
    const r = idMappersCheck(
      ready((f) => (f.newuidmap = { path: '/usr/bin/newuidmap', setuidRoot: false, capabilities: 'cap_setgid=ep' })),
    );
    expect(r).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('/usr/bin/newuidmap is neither setuid root nor has cap_setuid'),
      fix: expect.stringContaining('setcap cap_setuid+ep'),
    });
  });
});

describe('rootless: subordinate ids', () => {
  it('parses name and uid lines, skipping comments and junk', () => {
    expect(parseSubids('# c\nalice:100000:65536\n1001:200000:1000\nbroken\n\n')).toEqual([
      { owner: 'alice', start: 100000, count: 65536 },
      { owner: '1001', start: 200000, count: 1000 },
    ]);
  });

  it('a range by name in one file and by uid in the other is ok', () => {
    expect(subidsCheck(ready())).toMatchObject({
      verdict: 'ok',
      detail: '/etc/subuid: 165536-231071 (65536 ids); /etc/subgid: 165536-231071 (65536 ids)',
    });
  });

  it('no entry: fails with the usermod line for the first free block', () => {
    const r = subidsCheck(ready((f) => (f.subgid = 'bob:100000:65536\n')));
    expect(r).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('/etc/subgid has no range for alice'),
      fix: expect.stringMatching(/^usermod --add-subuids 231072-296607 --add-subgids 231072-296607 alice/),
    });
  });

  it('no file at all: fails saying so', () => {
    const r = subidsCheck(ready((f) => (f.subuid = undefined)));
    expect(r).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('/etc/subuid does not exist') });
  });

  it('fewer than 65536 ids: fails', () => {
    const r = subidsCheck(ready((f) => (f.subuid = 'alice:165536:1000\n')));
    expect(r).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('fewer than 65536') });
  });

  it("a range overlapping another user's: fails naming both", () => {
    const r = subidsCheck(ready((f) => (f.subuid = 'bob:100000:65536\nalice:150000:65536\n')));
    expect(r).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining("overlaps bob's 100000-165535"),
      fix: expect.stringContaining('--del-subuids'),
    });
  });

  it('root without a user: not checked', () => {
    expect(subidsCheck(ready(asRoot))).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('not checked') });
  });

  it('the free block skips every taken range', () => {
    expect(freeRange([])).toMatchObject({ start: 100000, count: 65536 });
    expect(
      freeRange([
        { owner: 'a', start: 150000, count: 10 },
        { owner: 'b', start: 100000, count: 65536 },
      ]),
    ).toMatchObject({ start: 165536 });
  });
});

describe('rootless: user namespaces', () => {
  it('allowed: ok', () => {
    expect(userNamespacesCheck(ready((f) => (f.unprivilegedUsernsClone = '1')))).toMatchObject({ verdict: 'ok' });
  });

  it('a kernel without them: fails', () => {
    expect(userNamespacesCheck(ready((f) => (f.maxUserNamespaces = undefined)))).toMatchObject({
      verdict: 'fail',
      fix: expect.stringContaining('CONFIG_USER_NS'),
    });
  });

  it('max 0, Debian switch off, AppArmor restricting: fails with each sysctl', () => {
    const r = userNamespacesCheck(
      ready((f) => {
        f.maxUserNamespaces = '0';
        f.unprivilegedUsernsClone = '0';
        f.apparmorRestrictUserns = '1';
      }),
    );
    expect(r.verdict).toBe('fail');
    expect(r.fix).toContain('sysctl -w user.max_user_namespaces=');
    expect(r.fix).toContain('sysctl -w kernel.unprivileged_userns_clone=1');
    expect(r.fix).toContain('sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
  });
});

describe('rootless: overlayfs in a user namespace', () => {
  it('5.11 is enough, 5.10 is not, an unreadable release fails', () => {
    expect(usernsOverlayCheck(ready((f) => (f.kernelRelease = '5.11.0')))).toMatchObject({ verdict: 'ok' });
    expect(usernsOverlayCheck(ready((f) => (f.kernelRelease = '5.10.0-30-amd64')))).toMatchObject({
      verdict: 'fail',
      fix: 'boot Linux 5.11 or later',
    });
    expect(usernsOverlayCheck(ready((f) => (f.kernelRelease = 'weird')))).toMatchObject({ verdict: 'fail' });
  });
});

describe('rootless: networking', () => {
  it('slirp4netns when installed, pasta otherwise, STACK_ROOTLESS_NET picks; neither fails with the package', () => {
    expect(rootlessNetworkCheck(ready())).toMatchObject({
      verdict: 'ok',
      detail: expect.stringMatching(/^\/usr\/bin\/slirp4netns connects .*pasta is the other choice/),
    });
    expect(rootlessNetworkCheck(ready((f) => (f.pasta = undefined)))).toMatchObject({
      verdict: 'ok',
      detail: expect.stringContaining('/usr/bin/slirp4netns connects'),
    });
    expect(rootlessNetworkCheck(ready((f) => (f.wantedConnector = 'pasta')))).toMatchObject({
      verdict: 'ok',
      detail: expect.stringMatching(/^\/usr\/bin\/pasta connects .*STACK_ROOTLESS_NET chose it/),
    });
    expect(rootlessNetworkCheck(ready((f) => (f.slirp4netns = undefined)))).toMatchObject({
      verdict: 'ok',
      detail: expect.stringContaining('/usr/bin/pasta connects'),
    });
    expect(
      rootlessNetworkCheck(
        ready((f) => {
          f.pasta = undefined;
          f.wantedConnector = 'pasta';
        }),
      ),
    ).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('no pasta on PATH'),
      fix: 'apt-get install passt',
    });
    expect(rootlessNetworkCheck(ready((f) => (f.wantedConnector = 'vde')))).toMatchObject({ verdict: 'fail' });
    const neither = ready((f) => {
      f.slirp4netns = undefined;
      f.pasta = undefined;
    });
    expect(rootlessNetworkCheck(neither)).toMatchObject({ verdict: 'fail', fix: 'apt-get install slirp4netns' });
  });
});

describe('rootless: cgroups', () => {
  const systemd = '/user.slice/user-1000.slice/user@1000.service';

  it('v2 with cpu, memory and pids delegated: ok, saying the subtree was found', () => {
    expect(rootlessCgroupsCheck(ready())).toMatchObject({
      verdict: 'ok',
      detail: expect.stringContaining(`delegated subtree found: /sys/fs/cgroup${systemd}`),
    });
  });

  it('v2 without memory delegated: warns with the systemd drop-in (systemd) or the parent to enable them in', () => {
    const r = rootlessCgroupsCheck(
      ready((f) => (f.delegation = { state: 'missing-controllers', dir: systemd, missing: ['cpu', 'memory'] })),
    );
    expect(r).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('not given cpu, memory') });
    expect(r.fix).toContain('Delegate=cpu cpuset io memory pids');
    const own = rootlessCgroupsCheck(
      ready((f) => (f.delegation = { state: 'missing-controllers', dir: '/alice', missing: ['pids'] })),
    );
    expect(own.fix).toBe("enable them in the cgroup.subtree_control of /sys/fs/cgroup/alice's parent");
  });

  it('v2 with a delegated subtree the command runs outside of: warns, with systemd-run --user --scope', () => {
    const r = rootlessCgroupsCheck(
      ready(
        (f) => (f.delegation = { state: 'outside', dir: systemd, own: '/user.slice/user-1000.slice/session-2.scope' }),
      ),
    );
    expect(r).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('session-2.scope, outside it') });
    expect(r.fix).toContain('systemd-run --user --scope');
  });

  it('v2 without a delegated subtree: warns with enable-linger, and the chown without systemd', () => {
    const r = rootlessCgroupsCheck(ready((f) => (f.delegation = { state: 'none', own: '/session-2.scope' })));
    expect(r).toMatchObject({ verdict: 'warn', fix: expect.stringContaining('loginctl enable-linger alice') });
    expect(r.detail).toContain('no delegated cgroup subtree');
    expect(r.fix).toContain('cgroup.subtree_control');
  });

  it('v1: warns that limits will be a warning in rootless mode, even for root', () => {
    for (const facts of [ready((f) => (f.cgroupV2 = false)), ready((f) => (asRoot(f), (f.cgroupV2 = false)))])
      expect(rootlessCgroupsCheck(facts)).toMatchObject({
        verdict: 'warn',
        detail: expect.stringContaining('limits will be a warning'),
      });
  });

  it('v2 and root without a user: not checked', () => {
    expect(rootlessCgroupsCheck(ready(asRoot)).detail).toContain('not checked');
  });
});

describe('rootless: XDG_RUNTIME_DIR', () => {
  it("the user's own 0700 folder: ok, naming the STACK_RUN it gives", () => {
    expect(runtimeDirCheck(ready())).toMatchObject({
      verdict: 'ok',
      detail: expect.stringContaining('/run/user/1000/stack'),
    });
  });

  it('unset, absent, a file, or owned by someone else: fails', () => {
    const detail = (change: (f: RootlessFacts) => void) => runtimeDirCheck(ready(change));
    expect(detail((f) => (f.runtimeDir = undefined))).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('XDG_RUNTIME_DIR is not set'),
    });
    expect(detail((f) => (f.runtimeDirStat = undefined)).detail).toContain('does not exist');
    expect(detail((f) => (f.runtimeDirStat = { uid: 1000, mode: 0o600, isDirectory: false })).detail).toContain(
      'is not a folder',
    );
    expect(detail((f) => (f.runtimeDirStat = { uid: 0, mode: 0o700, isDirectory: true }))).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('owned by uid 0'),
    });
  });

  it('open to others: warns with chmod 700', () => {
    const r = runtimeDirCheck(ready((f) => (f.runtimeDirStat = { uid: 1000, mode: 0o755, isDirectory: true })));
    expect(r).toMatchObject({ verdict: 'warn', fix: 'chmod 700 /run/user/1000' });
  });

  it('root without a user: not checked', () => {
    expect(runtimeDirCheck(ready(asRoot)).detail).toContain('not checked');
  });
});

describe('rootless: /dev/net/tun', () => {
  it('passes when the user may open it, and names the mode and the chmod when not', () => {
    expect(tunCheck(ready()).verdict).toBe('ok');
    expect(tunCheck(ready((f) => (f.tun = { uid: 1000, mode: 0o20600, isDirectory: false }))).verdict).toBe('ok');
    expect(tunCheck(ready((f) => (f.tun = { uid: 0, mode: 0o20600, isDirectory: false })))).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('/dev/net/tun has mode 600'),
      fix: 'chmod 0666 /dev/net/tun (the mode udev gives it)',
    });
    expect(tunCheck(ready((f) => (f.tun = undefined)))).toMatchObject({ verdict: 'fail', fix: 'modprobe tun' });
  });
});
