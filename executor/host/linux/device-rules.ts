// Which device nodes a container may use, as the devices controller's rule text (docker's
// default list). cgroup v1 takes the lines as they are (devices.deny 'a', then each allow);
// cgroup v2 has no devices file, so device-program.ts compiles the same rules into the eBPF
// program the kernel runs on every open and mknod of a device node in the group.
// Anything not listed may be created (m) but not opened: CAP_MKNOD must not mean reading the
// host's disks or memory.

export const DEVICE_ALLOW = [
  'c *:* m',
  'b *:* m',
  'c 1:3 rwm',
  'c 1:5 rwm',
  'c 1:7 rwm',
  'c 1:8 rwm',
  'c 1:9 rwm',
  'c 5:0 rwm',
  'c 5:1 rwm',
  'c 5:2 rwm',
  'c 136:* rwm',
  'c 10:200 rwm',
];

export interface DeviceRule {
  type: 'a' | 'b' | 'c';
  /** undefined: any. */
  major?: number;
  minor?: number;
  /** Subset of 'rwm'. */
  access: string;
}

/** 'c 136:* rwm' → { type: 'c', major: 136, access: 'rwm' } (the devices.allow format). */
export function parseDeviceRule(text: string): DeviceRule {
  const m = /^([abc]) (\*|\d+):(\*|\d+) ([rwm]{1,3})$/.exec(text);
  if (!m) throw new Error(`device rule ${JSON.stringify(text)} is not "TYPE MAJOR:MINOR ACCESS"`);
  const num = (s: string) => (s === '*' ? undefined : Number(s));
  return { type: m[1] as DeviceRule['type'], major: num(m[2]!), minor: num(m[3]!), access: m[4]! };
}
