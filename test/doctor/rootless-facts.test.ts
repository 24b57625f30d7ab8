// Whose rootless prerequisites doctor reads (the user running it, or $SUDO_USER under root),
// what it reads from the host's files, and that the rootless section's gaps are shown
// without making doctor fail: rootful stack does not need them.

import { describe, expect, it } from 'vitest';
import { renderJson, summary } from '../../cli/doctor-render.js';
import { allChecks, runChecks } from '../../doctor/checks.js';
import { readRootlessFacts } from '../../doctor/rootless-facts.js';
import { blocksStack } from '../../doctor/verdict.js';
import { hostWith } from './fake-probe.js';

describe('rootless facts', () => {
  it('as root: no user to check for, unless $SUDO_USER names one', () => {
    expect(readRootlessFacts(hostWith(() => {})).user).toBeUndefined();
    expect(readRootlessFacts(hostWith((h) => (h.env.SUDO_USER = 'root'))).user).toBeUndefined();
    expect(readRootlessFacts(hostWith((h) => (h.env.SUDO_USER = 'nosuch'))).user).toBeUndefined();
    const sudo = readRootlessFacts(
      hostWith((h) => {
        h.env.SUDO_USER = 'alice';
        h.env.XDG_RUNTIME_DIR = '/run/user/0';
        h.stats['/run/user/1000'] = { uid: 1000, mode: 0o700, isDirectory: true };
        const dir = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service';
        h.files['/sys/fs/cgroup/cgroup.controllers'] = 'cpu memory pids';
        h.files[`${dir}/cgroup.controllers`] = 'cpu memory pids';
        for (const f of ['', '/cgroup.procs', '/cgroup.subtree_control'])
          h.stats[`${dir}${f}`] = { uid: 1000, mode: 0o644, isDirectory: f === '' };
        // root's own group: under sudo only systemd's subtree counts.
        h.files['/proc/self/cgroup'] = '0::/user.slice/user-0.slice/session-1.scope\n';
      }),
    );
    expect(sudo.user).toEqual({ name: 'alice', uid: 1000, viaSudo: true });
    // sudo hands root's environment on: alice's runtime folder is the one pam_systemd makes.
    expect(sudo.runtimeDir).toBe('/run/user/1000');
    expect(sudo.runtimeDirStat).toMatchObject({ uid: 1000 });
    expect(sudo.delegation).toEqual({ state: 'usable', dir: '/user.slice/user-1000.slice/user@1000.service' });
  });

  it('as an ordinary user: that user, with their own XDG_RUNTIME_DIR', () => {
    const facts = readRootlessFacts(
      hostWith((h) => {
        h.euid = 1000;
        h.env.XDG_RUNTIME_DIR = '/run/user/1000';
      }),
    );
    expect(facts.user).toEqual({ name: 'alice', uid: 1000, viaSudo: false });
    expect(facts.runtimeDir).toBe('/run/user/1000');
    const unnamed = readRootlessFacts(hostWith((h) => (h.euid = 4242)));
    expect(unnamed.user).toEqual({ name: '4242', uid: 4242, viaSudo: false });
    expect(unnamed.runtimeDir).toBeUndefined();
  });

  it("as an ordinary user: a group above the command's own that is chowned to them is their delegated subtree", () => {
    const facts = readRootlessFacts(
      hostWith((h) => {
        h.euid = 1000;
        h.files['/sys/fs/cgroup/cgroup.controllers'] = 'cpu memory pids';
        h.files['/proc/self/cgroup'] = '0::/alice/session\n';
        h.files['/sys/fs/cgroup/alice/cgroup.controllers'] = 'cpu io memory pids';
        for (const f of ['', '/cgroup.procs', '/cgroup.subtree_control'])
          h.stats[`/sys/fs/cgroup/alice${f}`] = { uid: 1000, mode: 0o644, isDirectory: f === '' };
      }),
    );
    expect(facts.delegation).toEqual({ state: 'usable', dir: '/alice' });
  });

  it('a user NSS knows and /etc/passwd does not (LDAP, sssd) is found through getent', () => {
    const facts = readRootlessFacts(
      hostWith((h) => {
        h.env.SUDO_USER = 'carol';
        h.commands.getent = '/usr/bin/getent';
        h.run = (command, args) =>
          command === 'getent' && args.join(' ') === 'passwd carol'
            ? { status: 0, stdout: 'carol:*:5001:5001::/home/carol:/bin/sh\n', stderr: '' }
            : { status: 2, stdout: '', stderr: '' };
      }),
    );
    expect(facts.user).toEqual({ name: 'carol', uid: 5001, viaSudo: true });
  });

  it('newuidmap: setuid only when owned by root, and the capabilities getcap prints', () => {
    const facts = readRootlessFacts(
      hostWith((h) => {
        h.stats['/usr/bin/newuidmap'] = { uid: 1000, mode: 0o4755, isDirectory: false };
        h.stats['/usr/bin/newgidmap'] = { uid: 0, mode: 0o755, isDirectory: false };
        h.commands.getcap = '/usr/sbin/getcap';
        h.run = (command, args) =>
          command === 'getcap' && args[0] === '/usr/bin/newgidmap'
            ? { status: 0, stdout: '/usr/bin/newgidmap cap_setgid=ep\n', stderr: '' }
            : { status: 0, stdout: '', stderr: '' };
      }),
    );
    expect(facts.newuidmap).toEqual({ path: '/usr/bin/newuidmap', setuidRoot: false, capabilities: undefined });
    expect(facts.newgidmap).toEqual({ path: '/usr/bin/newgidmap', setuidRoot: false, capabilities: 'cap_setgid=ep' });
  });

  it('the sysctls, trimmed, and undefined where the kernel has none', () => {
    const facts = readRootlessFacts(
      hostWith((h) => (h.files['/proc/sys/kernel/apparmor_restrict_unprivileged_userns'] = '1\n')),
    );
    expect(facts).toMatchObject({
      maxUserNamespaces: '63459',
      unprivilegedUsernsClone: undefined,
      apparmorRestrictUserns: '1',
    });
  });
});

describe('the rootless section in doctor', () => {
  it('a rootless gap is shown and counted on its own line, and doctor still says stack can run', async () => {
    const results = await runChecks(
      hostWith((h) => {
        h.env.SUDO_USER = 'alice';
        h.files['/etc/subuid'] = '';
        delete h.commands.slirp4netns;
        delete h.commands.pasta;
      }),
      allChecks(),
    );
    const rootless = results.filter((r) => r.section === 'rootless');
    expect(rootless.map((r) => r.check)).toEqual([
      'rootless',
      'uidmap',
      'subids',
      'userns',
      'userns-overlay',
      'rootless-net',
      'tun',
      'user-cgroups',
      'runtime-dir',
    ]);
    expect(rootless.filter((r) => r.verdict === 'fail').map((r) => r.check)).toEqual([
      'subids',
      'rootless-net',
      'runtime-dir',
    ]);
    expect(results.some(blocksStack)).toBe(false);
    expect((JSON.parse(renderJson(results)) as { ok: boolean }).ok).toBe(true);
    expect(summary(results)).toBe('stack can run on this host\nrootless mode: 3 failed, 1 with warnings\n');
  });
});
