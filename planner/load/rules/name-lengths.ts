// Names too long for what they become on the host (name-limits.ts says why each limit is
// what it is), reported at the name with the limit.

import {
  byteLength,
  MAX_CONTAINER_NAME_LENGTH,
  MAX_HOSTNAME_BYTES,
  MAX_NAME_LENGTH,
  MAX_VOLUME_NAME_LENGTH,
} from '../../../model/name-limits.js';
import { obj, type Obj, type RuleContext } from './context.js';

const tooLong = (what: string, name: string, limit: string, fix = 'use a shorter one') =>
  `${what} "${name.length > 80 ? `${name.slice(0, 40)}…${name.slice(-20)}` : name}" is ${name.length} characters long, more than ${limit}; ${fix}`;

export function checkServiceNameLengths(ctx: RuleContext, name: string, svc: Obj): void {
  if (name.length > MAX_NAME_LENGTH) {
    ctx.at(
      ['services', name],
      tooLong('service name', name, `the ${MAX_NAME_LENGTH} a DNS name may have (other containers resolve it)`),
      'key',
    );
  }
  const container = svc.container_name;
  if (typeof container === 'string' && container.length > MAX_CONTAINER_NAME_LENGTH) {
    ctx.at(
      ['services', name, 'container_name'],
      tooLong(
        'container_name',
        container,
        `the ${MAX_CONTAINER_NAME_LENGTH} stack allows (it names files of the container)`,
      ),
    );
  }
  for (const key of ['hostname', 'domainname']) {
    const v = svc[key];
    if (typeof v === 'string' && byteLength(v) > MAX_HOSTNAME_BYTES) {
      ctx.at(['services', name, key], tooLong(key, v, `the ${MAX_HOSTNAME_BYTES} bytes the kernel allows`));
    }
  }
}

export function checkDeclarationNameLengths(ctx: RuleContext): void {
  for (const section of ['networks', 'volumes']) {
    for (const key of ctx.declared(section)) {
      if (key.length > MAX_NAME_LENGTH)
        ctx.at(
          [section, key],
          tooLong(`${section.slice(0, -1)} name`, key, `the ${MAX_NAME_LENGTH} stack allows`),
          'key',
        );
    }
  }
  for (const key of ctx.declared('volumes')) {
    const name = obj(obj(ctx.root.volumes)?.[key])?.name;
    if (typeof name === 'string' && name.length > MAX_VOLUME_NAME_LENGTH) {
      ctx.at(
        ['volumes', key, 'name'],
        tooLong('volume name', name, `the ${MAX_VOLUME_NAME_LENGTH} stack allows (it names the volume's folder)`),
      );
    }
  }
}
