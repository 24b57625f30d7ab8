// Host programs stack takes into containers or builds from: the static busybox (the example
// and test images), tini-static (PID 1 of `init: true` services), and gcc with a static libc
// (the native init stage, dist/stack-init). Without them stack still runs, with less.

import path from 'node:path';
import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { TINI_PATHS } from '../executor/host/linux/init-security.js';
import { ok, warn, type Check } from './verdict.js';

/** Where scripts/build-busybox-image.mjs takes busybox from. */
const BUSYBOX = '/bin/busybox';

export const busyboxCheck: Check = {
  name: 'busybox',
  run(probe) {
    const isStatic = probe.isStaticElf(BUSYBOX);
    const fix = 'apt-get install busybox-static';
    if (isStatic === undefined)
      return warn(
        'busybox',
        `no ${BUSYBOX}: the examples (examples/, npm run demo) and the tests build their image from a static busybox`,
        fix,
      );
    if (!isStatic)
      return warn(
        'busybox',
        `${BUSYBOX} is dynamically linked: the image built from it for the examples and tests would lack its libraries`,
        fix,
      );
    return ok('busybox', `${BUSYBOX} is static (the examples' and tests' image)`);
  },
};

export const tiniCheck: Check = {
  name: 'tini',
  run(probe) {
    const found = TINI_PATHS.find((p) => probe.exists(p));
    if (!found)
      return warn(
        'tini',
        `no static tini (${TINI_PATHS[0]}): services with \`init: true\` cannot start`,
        'apt-get install tini',
      );
    if (probe.isStaticElf(found) === false)
      return warn(
        'tini',
        `${found} is dynamically linked: it runs inside containers, whose images have their own libc or none`,
        'apt-get install tini (its tini-static)',
      );
    return ok('tini', `${found} (PID 1 of \`init: true\` services)`);
  },
};

/** A static libc gcc can link with, or undefined (gcc prints the bare name when it has none). */
function staticLibc(probe: DoctorProbe): string | undefined {
  const printed = probe.run('gcc', ['-print-file-name=libc.a'])?.stdout.trim();
  return printed && path.isAbsolute(printed) && probe.exists(printed) ? printed : undefined;
}

export const nativeStageCheck: Check = {
  name: 'native-stage',
  run(probe) {
    const native = probe.nativeStage();
    if (native) return ok('native-stage', `${native} (containers start in ~2 ms)`);
    if (probe.env('STACK_INIT_STAGE') === 'node')
      return ok('native-stage', 'STACK_INIT_STAGE=node: containers start through the portable Node stage');
    const slower = 'containers start through the portable Node init stage (~30 ms slower each)';
    const gcc = probe.which('gcc');
    const libc = gcc ? staticLibc(probe) : undefined;
    if (gcc && libc)
      return warn('native-stage', `dist/stack-init is not built: ${slower}`, 'npm run build (gcc and libc.a are here)');
    const lacking = [gcc ? undefined : 'gcc', libc ? undefined : 'a static libc (libc.a)']
      .filter(Boolean)
      .join(' and ');
    return warn(
      'native-stage',
      `no native init stage and no ${lacking} to build it: ${slower}`,
      'apt-get install gcc libc6-dev, then npm run build',
    );
  },
};
