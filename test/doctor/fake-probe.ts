// A host for doctor's checks that a test describes: by default a healthy cgroup v2 host
// with everything stack needs; each test takes away or changes the piece it is about.

import type {
  BaseChain,
  CommandResult,
  DoctorProbe,
  FileStat,
  FilesystemInfo,
  ModuleState,
  OverlayTrial,
} from '../../executor/host/linux/doctor-probe.js';

export interface FakeHost {
  euid: number;
  release: string;
  /** File contents by path (present files); `exists` also answers true for these. */
  files: Record<string, string>;
  /** Paths that exist without contents worth reading. */
  paths: string[];
  /** Owners and modes by path (these exist too). */
  stats: Record<string, FileStat>;
  /** Files that may not be written (everything else may). */
  readOnly: string[];
  /** Kernel config options; null: the kernel publishes none. */
  config: Record<string, string> | null;
  modules: Record<string, ModuleState>;
  /** Programs on PATH, by name. */
  commands: Record<string, string>;
  run: (command: string, args: string[]) => CommandResult | undefined;
  libnftablesError: string | undefined;
  chains: BaseChain[] | string;
  /** ELF files and whether they are static. */
  elves: Record<string, boolean>;
  filesystems: Record<string, FilesystemInfo>;
  /** canCreateDir's answer by folder (default 'exists'). */
  createDir: Record<string, string>;
  overlay: OverlayTrial;
  env: Record<string, string>;
  nativeStage: string | undefined;
}

const GiB = 1024 ** 3;

export function healthyHost(): FakeHost {
  return {
    euid: 0,
    release: '6.1.0-28-amd64',
    files: {
      '/proc/filesystems': 'nodev\ttmpfs\nnodev\toverlay\n\text4\n',
      '/proc/sys/vm/memfd_noexec': '0\n',
      '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
      '/proc/sys/net/ipv4/ip_forward': '0\n',
      '/proc/sys/net/ipv4/ip_local_port_range': '32768\t60999\n',
      '/proc/sys/net/ipv4/ip_local_reserved_ports': '\n',
      '/proc/sys/user/max_user_namespaces': '63459\n',
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
      '/etc/subuid': 'alice:100000:65536\n',
      '/etc/subgid': 'alice:100000:65536\n',
    },
    stats: {
      '/usr/bin/newuidmap': { uid: 0, mode: 0o4755, isDirectory: false },
      '/usr/bin/newgidmap': { uid: 0, mode: 0o4755, isDirectory: false },
      '/dev/net/tun': { uid: 0, mode: 0o20666, isDirectory: false },
    },
    paths: ['mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup']
      .map((ns) => `/proc/self/ns/${ns}`)
      .concat(['/usr/bin/tini-static', '/usr/lib/x86_64-linux-gnu/libc.a']),
    readOnly: [],
    config: {},
    modules: {
      overlay: 'loadable',
      veth: 'loadable',
      bridge: 'loadable',
      nf_tables: 'loadable',
      nft_nat: 'loadable',
      nft_masq: 'loadable',
      nft_ct: 'built-in',
      nft_fib_ipv4: 'loadable',
    },
    commands: {
      nft: '/usr/sbin/nft',
      gcc: '/usr/bin/gcc',
      newuidmap: '/usr/bin/newuidmap',
      newgidmap: '/usr/bin/newgidmap',
      pasta: '/usr/bin/pasta',
      slirp4netns: '/usr/bin/slirp4netns',
    },
    run: (command, args) =>
      command === 'gcc' && args[0] === '-print-file-name=libc.a'
        ? { status: 0, stdout: '/usr/lib/x86_64-linux-gnu/libc.a\n', stderr: '' }
        : undefined,
    libnftablesError: undefined,
    chains: [
      {
        backend: 'nftables',
        table: 'ip stk_web_1a2b3c',
        chain: 'forward',
        hook: 'forward',
        policy: 'accept',
        acceptsStack: true,
        dockerUser: false,
      },
    ],
    elves: { '/bin/busybox': true, '/usr/bin/tini-static': true },
    filesystems: {
      '/var/lib/stack': {
        path: '/var/lib/stack',
        type: 'ext4',
        freeBytes: 50 * GiB,
        totalInodes: 3_000_000,
        freeInodes: 2_000_000,
      },
      '/run/stack': {
        path: '/run/stack',
        type: 'tmpfs',
        freeBytes: 1 * GiB,
        totalInodes: 500_000,
        freeInodes: 499_000,
      },
    },
    createDir: {},
    overlay: { mounted: true },
    env: {},
    nativeStage: '/opt/stack/dist/stack-init',
  };
}

export function fakeProbe(host: FakeHost): DoctorProbe {
  const has = (file: string) =>
    file in host.files || host.paths.includes(file) || file in host.elves || file in host.stats;
  return {
    euid: () => host.euid,
    kernelRelease: () => host.release,
    read: (file) => host.files[file],
    exists: has,
    stat: (file) => host.stats[file],
    writable: (file) => has(file) && !host.readOnly.includes(file),
    kernelConfig: (option) => (host.config === null ? undefined : (host.config[option] ?? '')),
    module: (name) => host.modules[name] ?? 'absent',
    which: (command) => host.commands[command],
    run: (command, args) => (host.commands[command] ? host.run(command, args) : undefined),
    libnftablesError: async () => host.libnftablesError,
    baseChains: async () => host.chains,
    isStaticElf: (file) => host.elves[file],
    filesystem: (dir) => host.filesystems[dir],
    canCreateDir: (dir) => host.createDir[dir] ?? 'exists',
    overlayTrial: () => host.overlay,
    env: (name) => host.env[name],
    nativeStage: () => host.nativeStage,
  };
}

/** The healthy host with `change` applied to a fresh copy. */
export function hostWith(change: (h: FakeHost) => void): DoctorProbe {
  const h = healthyHost();
  change(h);
  return fakeProbe(h);
}
