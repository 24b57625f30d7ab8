// What rootless mode will need from this host and from one user, read once into plain data:
// the rootless checks (rootless.ts, subids.ts) are pure functions over these facts, so tests
// hand them any host without changing this one. Whose facts: the user who runs doctor, or
// for `sudo stack doctor` the one sudo names ($SUDO_USER); root itself has no rootless mode.

import type { DoctorProbe, FileStat } from '../executor/host/linux/doctor-probe.js';
import { findCgroupDelegation, unifiedCgroupOf, type CgroupDelegation } from '../model/cgroup-delegation.js';

export interface RootlessUser {
  name: string;
  uid: number;
  /** true when root runs doctor for this user (sudo), false when the user runs it. */
  viaSudo: boolean;
}

/** newuidmap or newgidmap: where it is, and what lets it write another process's id map. */
export interface IdMapperFacts {
  path: string;
  /** Owned by root with the setuid bit. */
  setuidRoot: boolean;
  /** `getcap`'s answer (e.g. "cap_setuid=ep"), undefined when getcap is absent or says nothing. */
  capabilities: string | undefined;
}

export interface RootlessFacts {
  /** undefined when root runs doctor itself (no $SUDO_USER, or one /etc/passwd does not know). */
  user: RootlessUser | undefined;
  newuidmap: IdMapperFacts | undefined;
  newgidmap: IdMapperFacts | undefined;
  /** The texts of /etc/subuid and /etc/subgid, undefined when a file is absent. */
  subuid: string | undefined;
  subgid: string | undefined;
  /** user.max_user_namespaces, kernel.unprivileged_userns_clone, kernel.apparmor_restrict_unprivileged_userns (trimmed; undefined when absent). */
  maxUserNamespaces: string | undefined;
  unprivilegedUsernsClone: string | undefined;
  apparmorRestrictUserns: string | undefined;
  kernelRelease: string;
  pasta: string | undefined;
  slirp4netns: string | undefined;
  /** STACK_ROOTLESS_NET: the connector the user asks for (pasta or slirp4netns), when set. */
  wantedConnector?: string | undefined;
  /** /sys/fs/cgroup is cgroup v2 (unified). */
  cgroupV2: boolean;
  /** The cgroup v2 subtree delegated to the user (model/cgroup-delegation.ts); undefined on v1 or without a user. */
  delegation: CgroupDelegation | undefined;
  /** The user's runtime folder: $XDG_RUNTIME_DIR run as the user, /run/user/UID under sudo (sudo drops it). */
  runtimeDir: string | undefined;
  runtimeDirStat: FileStat | undefined;
  /** /dev/net/tun, which pasta or slirp4netns opens as the user. */
  tun: FileStat | undefined;
}

/** The /etc/passwd entry named `name`, or with uid `uid`. */
export function passwdUser(
  passwd: string,
  match: { name: string } | { uid: number },
): { name: string; uid: number } | undefined {
  for (const line of passwd.split('\n')) {
    const [name, , uid] = line.split(':');
    if (!name || uid === undefined || !/^\d+$/.test(uid)) continue;
    if ('name' in match ? name === match.name : Number(uid) === match.uid) return { name, uid: Number(uid) };
  }
  return undefined;
}

/** A user by name or uid: `getent passwd` (NSS: LDAP, sssd users too), else /etc/passwd. */
function lookUpUser(probe: DoctorProbe, match: { name: string } | { uid: number }) {
  const getent = probe.run('getent', ['passwd', 'name' in match ? match.name : String(match.uid)]);
  return passwdUser(getent?.status === 0 ? getent.stdout : (probe.read('/etc/passwd') ?? ''), match);
}

function invokingUser(probe: DoctorProbe): RootlessUser | undefined {
  const euid = probe.euid();
  if (euid !== 0) return { ...(lookUpUser(probe, { uid: euid }) ?? { name: String(euid), uid: euid }), viaSudo: false };
  const sudoUser = probe.env('SUDO_USER');
  const found = sudoUser && sudoUser !== 'root' ? lookUpUser(probe, { name: sudoUser }) : undefined;
  return found && found.uid !== 0 ? { ...found, viaSudo: true } : undefined;
}

function idMapper(probe: DoctorProbe, command: string): IdMapperFacts | undefined {
  const file = probe.which(command);
  if (!file) return undefined;
  const st = probe.stat(file);
  const getcap = probe.run('getcap', [file]);
  const caps = getcap?.status === 0 ? getcap.stdout.trim().slice(file.length).trim() : '';
  return {
    path: file,
    setuidRoot: st !== undefined && st.uid === 0 && (st.mode & 0o4000) !== 0,
    capabilities: caps || undefined,
  };
}

const sysctl = (probe: DoctorProbe, file: string) => probe.read(file)?.trim();

/** Under sudo the command's own group is root's session, not the user's: only systemd's subtree is looked at. */
function delegation(probe: DoctorProbe, user: RootlessUser): CgroupDelegation {
  const look = {
    owner: (file: string) => probe.stat(`/sys/fs/cgroup${file}`)?.uid,
    read: (file: string) => probe.read(`/sys/fs/cgroup${file}`),
  };
  const own = user.viaSudo ? undefined : unifiedCgroupOf(probe.read('/proc/self/cgroup') ?? '');
  return findCgroupDelegation(look, user.uid, own);
}

export function readRootlessFacts(probe: DoctorProbe): RootlessFacts {
  const user = invokingUser(probe);
  const runtimeDir = !user
    ? undefined
    : user.viaSudo
      ? `/run/user/${user.uid}`
      : probe.env('XDG_RUNTIME_DIR') || undefined;
  const cgroupV2 = probe.exists('/sys/fs/cgroup/cgroup.controllers');
  return {
    user,
    newuidmap: idMapper(probe, 'newuidmap'),
    newgidmap: idMapper(probe, 'newgidmap'),
    subuid: probe.read('/etc/subuid'),
    subgid: probe.read('/etc/subgid'),
    maxUserNamespaces: sysctl(probe, '/proc/sys/user/max_user_namespaces'),
    unprivilegedUsernsClone: sysctl(probe, '/proc/sys/kernel/unprivileged_userns_clone'),
    apparmorRestrictUserns: sysctl(probe, '/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    kernelRelease: probe.kernelRelease(),
    pasta: probe.which('pasta'),
    slirp4netns: probe.which('slirp4netns'),
    wantedConnector: probe.env('STACK_ROOTLESS_NET') || undefined,
    cgroupV2,
    delegation: user && cgroupV2 ? delegation(probe, user) : undefined,
    runtimeDir,
    runtimeDirStat: runtimeDir ? probe.stat(runtimeDir) : undefined,
    tun: probe.stat('/dev/net/tun'),
  };
}
