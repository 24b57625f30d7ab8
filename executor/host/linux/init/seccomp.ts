// The default seccomp filter: a classic BPF program built here (no libseccomp), installed
// right before execve. It is a deny list: the syscalls below fail with EPERM unless the
// container keeps the capability that legitimately needs them (docker's default profile
// grants the same calls to the same capabilities). The kernel would refuse most of them
// without the capability anyway; the filter also shuts the ones no capability guards
// (keyctl, io_uring, unshare of a user namespace) and is a second wall for the rest.
//
// Deliberate choices: the native architecture only (a foreign one, e.g. i386 via int 0x80,
// and the x32 ABI get EPERM for everything); clone with namespace flags and clone3 (whose
// flags a classic filter cannot read) are refused without CAP_SYS_ADMIN, clone3 with
// ENOSYS so libc falls back to clone; ptrace stays allowed (kernel ≥ 4.8 checks seccomp
// after it, which was docker's reason to block it).

/** name → [x86_64 number, aarch64 number] (-1: absent on that architecture). */
const NR: Record<string, [number, number]> = {
  init_module: [175, 105],
  finit_module: [313, 273],
  delete_module: [176, 106],
  kexec_load: [246, 104],
  kexec_file_load: [320, 294],
  reboot: [169, 142],
  keyctl: [250, 219],
  add_key: [248, 217],
  request_key: [249, 218],
  bpf: [321, 280],
  perf_event_open: [298, 241],
  userfaultfd: [323, 282],
  open_by_handle_at: [304, 265],
  name_to_handle_at: [303, 264],
  mount: [165, 40],
  umount2: [166, 39],
  pivot_root: [155, 41],
  unshare: [272, 97],
  setns: [308, 268],
  fsopen: [430, 430],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fspick: [433, 433],
  move_mount: [429, 429],
  open_tree: [428, 428],
  mount_setattr: [442, 442],
  swapon: [167, 224],
  swapoff: [168, 225],
  quotactl: [179, 60],
  fanotify_init: [300, 262],
  lookup_dcookie: [212, 18],
  clock_settime: [227, 112],
  settimeofday: [164, 170],
  adjtimex: [159, 171],
  clock_adjtime: [305, 266],
  acct: [163, 89],
  vhangup: [153, 58],
  iopl: [172, -1],
  ioperm: [173, -1],
  syslog: [103, 116],
  kcmp: [312, 272],
  process_vm_readv: [310, 270],
  process_vm_writev: [311, 271],
  io_uring_setup: [425, 425],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
  uselib: [134, -1],
  create_module: [174, -1],
  get_kernel_syms: [177, -1],
  query_module: [178, -1],
  nfsservctl: [180, 42],
  _sysctl: [156, -1],
  clone: [56, 220],
  clone3: [435, 435],
};

/** Which capability (any of them) lifts the ban; [] = always denied. */
const RULES: [string[], string[]][] = [
  [
    [],
    [
      'keyctl',
      'add_key',
      'request_key',
      'io_uring_setup',
      'io_uring_enter',
      'io_uring_register',
      'uselib',
      'create_module',
      'get_kernel_syms',
      'query_module',
      'nfsservctl',
      '_sysctl',
    ],
  ],
  [['CAP_SYS_MODULE'], ['init_module', 'finit_module', 'delete_module']],
  [['CAP_SYS_BOOT'], ['kexec_load', 'kexec_file_load', 'reboot']],
  [
    ['CAP_SYS_ADMIN'],
    [
      'mount',
      'umount2',
      'pivot_root',
      'unshare',
      'setns',
      'fsopen',
      'fsconfig',
      'fsmount',
      'fspick',
      'move_mount',
      'open_tree',
      'mount_setattr',
      'swapon',
      'swapoff',
      'quotactl',
      'fanotify_init',
      'lookup_dcookie',
      'userfaultfd',
    ],
  ],
  [['CAP_SYS_ADMIN', 'CAP_BPF'], ['bpf']],
  [['CAP_SYS_ADMIN', 'CAP_PERFMON'], ['perf_event_open']],
  [['CAP_SYS_ADMIN', 'CAP_SYSLOG'], ['syslog']],
  [['CAP_DAC_READ_SEARCH'], ['open_by_handle_at', 'name_to_handle_at']],
  [['CAP_SYS_TIME'], ['clock_settime', 'settimeofday', 'adjtimex', 'clock_adjtime']],
  [['CAP_SYS_PACCT'], ['acct']],
  [['CAP_SYS_TTY_CONFIG'], ['vhangup']],
  [['CAP_SYS_RAWIO'], ['iopl', 'ioperm']],
  [['CAP_SYS_PTRACE'], ['kcmp', 'process_vm_readv', 'process_vm_writev']],
];

const ARCH: Record<string, { audit: number; index: 0 | 1 }> = {
  x64: { audit: 0xc000003e, index: 0 },
  arm64: { audit: 0xc00000b7, index: 1 },
};

const EPERM = 1;
const ENOSYS = 38;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
const CLONE_NS_FLAGS = 0x7e020000;
const X32_SYSCALL_BIT = 0x40000000;

const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
/** Offsets in struct seccomp_data: nr, arch, low word of args[0] (little endian). */
const OFF_NR = 0;
const OFF_ARCH = 4;
const OFF_ARG0 = 16;

type Insn = [code: number, jt: number, jf: number, k: number];

/** Names of the syscalls the default filter denies for a container keeping `capabilities`. */
export function deniedSyscalls(capabilities: string[]): string[] {
  const kept = new Set(capabilities);
  return RULES.filter(([caps]) => !caps.some((c) => kept.has(c))).flatMap(([, names]) => names);
}

/**
 * The filter program for this architecture: 8-byte `struct sock_filter` entries. The
 * layout is: arch check, load nr, x32 check, one JEQ per denied call jumping to its return,
 * then the returns.
 */
export function buildFilter(capabilities: string[], arch: string = process.arch): Buffer {
  const a = ARCH[arch];
  if (!a) throw new Error(`seccomp: no default filter for architecture ${arch}; use security_opt seccomp=unconfined`);
  const denied = deniedSyscalls(capabilities);
  const cloneNs = denied.includes('unshare'); // namespaces need CAP_SYS_ADMIN, via any call
  const calls = denied.map((n) => NR[n]![a.index]).filter((nr) => nr >= 0);
  // Every jump goes forward to one of the three returns at the end; their offsets are
  // known once the program's length is.
  const prog: ((at: number, end: number) => Insn)[] = [];
  const fixed = (insn: Insn) => () => insn;
  const ALLOW = 0;
  const DENY = 1;
  const NOSYS = 2;
  const to =
    (code: number, k: number, ret: number) =>
    (at: number, end: number): Insn => [code, end + ret - at - 1, 0, k];
  prog.push(fixed([LD_W_ABS, 0, 0, OFF_ARCH]));
  prog.push((at, end) => [JEQ_K, 0, end + DENY - at - 1, a.audit]);
  prog.push(fixed([LD_W_ABS, 0, 0, OFF_NR]));
  if (arch === 'x64') prog.push(to(JGE_K, X32_SYSCALL_BIT, DENY));
  for (const nr of calls) prog.push(to(JEQ_K, nr, DENY));
  if (denied.includes('unshare')) {
    // New namespaces need CAP_SYS_ADMIN by any call: clone's flags are its first argument.
    prog.push(to(JEQ_K, NR.clone3![a.index], NOSYS));
    prog.push(fixed([JEQ_K, 0, 2, NR.clone![a.index]]));
    prog.push(fixed([LD_W_ABS, 0, 0, OFF_ARG0]));
    prog.push(to(JSET_K, CLONE_NS_FLAGS, DENY));
  }
  const end = prog.length;
  const insns = prog.map((p, at) => p(at, end));
  insns.push([RET_K, 0, 0, RET_ALLOW], [RET_K, 0, 0, RET_ERRNO | EPERM], [RET_K, 0, 0, RET_ERRNO | ENOSYS]);
  if (insns.length > 4096) throw new Error('seccomp: filter too long');
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, jt, jf, k], i) => {
    if (jt < 0 || jt > 255 || jf < 0 || jf > 255) throw new Error(`seccomp: jump out of range at ${i}`);
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k, i * 8 + 4);
  });
  return buf;
}
