// The rootless section of `stack doctor`: what `stack up` as an ordinary user needs
// (docs/rootless.md). These lines say what is missing for it without deciding doctor's
// exit code, since rootful stack runs without them (see `section` in verdict.ts). Each check is a
// pure function over RootlessFacts; subordinate ids are in subids.ts.

import { kernelVersion } from './kernel.js';
import type { IdMapperFacts, RootlessFacts } from './rootless-facts.js';
import { DELEGATED_CONTROLLERS, systemdUserCgroup } from '../model/cgroup-delegation.js';
import { fail, ok, warn, type CheckResult } from './verdict.js';
import { chooseConnector } from '../model/rootless-connector.js';

const NOT_FOR_ROOT = 'not checked for root (see rootless)';

/** The section's first line: for whom, and that the mode is still to come. */
export function rootlessUserCheck(facts: RootlessFacts): CheckResult {
  const user = facts.user;
  if (!user)
    return ok(
      'rootless',
      'running as root: rootless mode is for ordinary users; run `stack doctor` as that user, or `sudo stack doctor` from their account, to check their prerequisites',
    );
  const how = user.viaSudo ? ' ($SUDO_USER)' : '';
  return ok('rootless', `prerequisites of rootless mode for ${user.name}, uid ${user.uid}${how}`);
}

function mapperProblem(name: string, mapper: IdMapperFacts | undefined, cap: string): string | undefined {
  if (!mapper) return `no ${name} on PATH`;
  if (mapper.setuidRoot || mapper.capabilities?.includes(cap)) return undefined;
  return `${mapper.path} is neither setuid root nor has ${cap} (it writes the id map of another process)`;
}

export function idMappersCheck(facts: RootlessFacts): CheckResult {
  const problems = [
    mapperProblem('newuidmap', facts.newuidmap, 'cap_setuid'),
    mapperProblem('newgidmap', facts.newgidmap, 'cap_setgid'),
  ].filter((p) => p !== undefined);
  if (problems.length === 0) {
    const how = (m: IdMapperFacts) => `${m.path} (${m.setuidRoot ? 'setuid root' : m.capabilities})`;
    return ok('uidmap', `${how(facts.newuidmap!)}, ${how(facts.newgidmap!)}`);
  }
  const missing = !facts.newuidmap || !facts.newgidmap;
  return fail(
    'uidmap',
    `${problems.join('; ')}: an unprivileged user maps subordinate ids into a user namespace only through them`,
    missing
      ? 'apt-get install uidmap'
      : 'apt-get install --reinstall uidmap (or: chmod u+s on them; or setcap cap_setuid+ep newuidmap, cap_setgid+ep newgidmap)',
  );
}

export function userNamespacesCheck(facts: RootlessFacts): CheckResult {
  const max = facts.maxUserNamespaces;
  if (max === undefined)
    return fail(
      'userns',
      'no /proc/sys/user/max_user_namespaces: this kernel has no user namespaces',
      'boot a kernel built with CONFIG_USER_NS=y',
    );
  const problems: { detail: string; fix: string }[] = [];
  if (!(Number(max) > 0))
    problems.push({ detail: `user.max_user_namespaces=${max}`, fix: 'sysctl -w user.max_user_namespaces=28633' });
  if (facts.unprivilegedUsernsClone !== undefined && facts.unprivilegedUsernsClone !== '1')
    problems.push({
      detail: `kernel.unprivileged_userns_clone=${facts.unprivilegedUsernsClone} (Debian's switch)`,
      fix: 'sysctl -w kernel.unprivileged_userns_clone=1',
    });
  if (facts.apparmorRestrictUserns !== undefined && facts.apparmorRestrictUserns !== '0')
    problems.push({
      detail: `kernel.apparmor_restrict_unprivileged_userns=${facts.apparmorRestrictUserns} (AppArmor, Ubuntu 23.10 and later)`,
      fix: 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    });
  if (problems.length > 0)
    return fail(
      'userns',
      `${problems.map((p) => p.detail).join('; ')}: ordinary users may not make user namespaces`,
      `${problems.map((p) => p.fix).join('; ')} (and the same line in /etc/sysctl.d/ to keep it after a reboot)`,
    );
  return ok('userns', `ordinary users may make user namespaces (user.max_user_namespaces=${max})`);
}

/** overlayfs mounts inside a user namespace since Linux 5.11. */
export const MIN_USERNS_OVERLAY: [number, number] = [5, 11];

export function usernsOverlayCheck(facts: RootlessFacts): CheckResult {
  const v = kernelVersion(facts.kernelRelease);
  const need = MIN_USERNS_OVERLAY.join('.');
  if (v && (v[0] > MIN_USERNS_OVERLAY[0] || (v[0] === MIN_USERNS_OVERLAY[0] && v[1] >= MIN_USERNS_OVERLAY[1])))
    return ok(
      'userns-overlay',
      `Linux ${facts.kernelRelease} mounts overlayfs inside a user namespace (${need} or later)`,
    );
  return fail(
    'userns-overlay',
    v
      ? `Linux ${facts.kernelRelease} is older than ${need}: overlayfs cannot be mounted inside a user namespace`
      : `cannot read the kernel version from "${facts.kernelRelease}"`,
    `boot Linux ${need} or later`,
  );
}

/** pasta or slirp4netns opens /dev/net/tun in the user's namespaces, as the user: it must be theirs to open (udev makes it 0666). */
export function tunCheck(facts: RootlessFacts): CheckResult {
  const st = facts.tun;
  if (!st)
    return fail(
      'tun',
      'no /dev/net/tun: a stack network namespace reaches the host through a tap device',
      'modprobe tun',
    );
  const user = facts.user;
  const open =
    (st.mode & 0o006) === 0o006 || (user !== undefined && st.uid === user.uid && (st.mode & 0o600) === 0o600);
  if (open) return ok('tun', `/dev/net/tun (mode ${(st.mode & 0o777).toString(8)})`);
  return fail(
    'tun',
    `/dev/net/tun has mode ${(st.mode & 0o777).toString(8)}: an ordinary user cannot open it, so pasta or slirp4netns cannot connect their stacks to the host`,
    'chmod 0666 /dev/net/tun (the mode udev gives it)',
  );
}

/** Which connector rootless mode uses (model/rootless-connector.ts), or why none. */
export function rootlessNetworkCheck(facts: RootlessFacts): CheckResult {
  try {
    const name = chooseConnector(facts, facts.wantedConnector);
    const fallback =
      name === 'slirp4netns'
        ? facts.pasta
          ? '; pasta is the other choice (STACK_ROOTLESS_NET=pasta)'
          : ''
        : facts.slirp4netns
          ? ' (STACK_ROOTLESS_NET chose it; slirp4netns otherwise)'
          : ' (slirp4netns, preferred, is not installed: apt-get install slirp4netns)';
    return ok('rootless-net', `${facts[name]} connects the user's network namespace to the host${fallback}`);
  } catch (err) {
    return fail(
      'rootless-net',
      (err as Error).message.replace(/^rootless: /, ''),
      facts.wantedConnector === 'pasta' ? 'apt-get install passt' : 'apt-get install slirp4netns',
    );
  }
}

const DELEGATE_FIX =
  'mkdir -p /etc/systemd/system/user@.service.d && printf "[Service]\\nDelegate=cpu cpuset io memory pids\\n" > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload (then log in again)';

/** Whether the user has a delegated cgroup v2 subtree that rootless containers get their groups in (model/cgroup-delegation.ts). */
export function rootlessCgroupsCheck(facts: RootlessFacts): CheckResult {
  const name = 'user-cgroups';
  if (!facts.cgroupV2)
    return warn(
      name,
      'cgroup v1: an ordinary user gets no cgroup of their own, so in rootless mode memory, cpu and pids limits will be a warning, not set',
      'boot with cgroup v2 (kernel command line: systemd.unified_cgroup_hierarchy=1)',
    );
  const user = facts.user;
  const found = facts.delegation;
  if (!user || !found) return ok(name, NOT_FOR_ROOT);
  const at = (dir: string) => `/sys/fs/cgroup${dir}`;
  switch (found.state) {
    case 'usable':
      return ok(
        name,
        `delegated subtree found: ${at(found.dir)} is ${user.name}'s with ${DELEGATED_CONTROLLERS.join(', ')}; rootless containers get their own groups and limits there`,
      );
    case 'missing-controllers':
      return warn(
        name,
        `delegated subtree found: ${at(found.dir)}, but it is not given ${found.missing.join(', ')}: rootless limits will be a warning`,
        found.dir === systemdUserCgroup(user.uid)
          ? DELEGATE_FIX
          : `enable them in the cgroup.subtree_control of ${at(found.dir)}'s parent`,
      );
    case 'outside':
      return warn(
        name,
        `delegated subtree found: ${at(found.dir)}, but this command runs in ${at(found.own)}, outside it; the kernel moves a container into a group there only from inside it, so rootless limits will be a warning`,
        `run stack inside it: systemd-run --user --scope stack …`,
      );
    case 'none':
      return warn(
        name,
        `no delegated cgroup subtree: neither ${at(systemdUserCgroup(user.uid))} (systemd) nor a group above ${found.own ? at(found.own) : "the user's"} is ${user.name}'s, so rootless limits will be a warning`,
        `log in as ${user.name} through a systemd session, or loginctl enable-linger ${user.name}; without systemd, chown a cgroup and its cgroup.procs, cgroup.subtree_control and cgroup.threads to ${user.name} and start stack in a group below it`,
      );
  }
}

export function runtimeDirCheck(facts: RootlessFacts): CheckResult {
  const user = facts.user;
  if (!user) return ok('runtime-dir', NOT_FOR_ROOT);
  const fix = `log in as ${user.name} through a PAM session with pam_systemd (it makes /run/user/${user.uid}), or loginctl enable-linger ${user.name}`;
  const dir = facts.runtimeDir;
  if (!dir) return fail('runtime-dir', 'XDG_RUNTIME_DIR is not set: rootless STACK_RUN is $XDG_RUNTIME_DIR/stack', fix);
  const st = facts.runtimeDirStat;
  if (!st?.isDirectory)
    return fail('runtime-dir', `${dir} ${st ? 'is not a folder' : 'does not exist'}: rootless STACK_RUN is in it`, fix);
  if (st.uid !== user.uid)
    return fail(
      'runtime-dir',
      `${dir} is owned by uid ${st.uid}, not ${user.name}: its sockets and locks must be the user's own`,
      fix,
    );
  if ((st.mode & 0o077) !== 0)
    return warn(
      'runtime-dir',
      `${dir} has mode ${st.mode.toString(8)}: other users may look into the folder of ${user.name}'s sockets and locks`,
      `chmod 700 ${dir}`,
    );
  return ok('runtime-dir', `${dir} belongs to ${user.name} (rootless STACK_RUN: ${dir}/stack)`);
}
