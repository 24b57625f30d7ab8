// Runtime options docker itself refuses, found at plan time so nothing starts: sysctls that
// are not namespaced (they would change the host), unknown capabilities and ulimit names.

import { ALL_CAPABILITIES, canonicalCapability } from '../../model/capabilities.js';
import type { Stack } from '../../model/types.js';
import { ULIMIT_NAMES } from '../../model/limits.js';

/** Sysctls of the ipc, uts and net namespaces (docker's list); net.* only with a network namespace of its own. */
export function isNamespacedSysctl(name: string, networkMode: string | undefined): boolean {
  if (name.startsWith('net.')) return networkMode !== 'host';
  if (name.startsWith('fs.mqueue.')) return true;
  return ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni',
    'kernel.shm_rmid_forced', 'kernel.domainname'].includes(name);
}

export function checkRuntimeOptions(stack: Stack, problems: string[]): void {
  for (const s of stack.services) {
    for (const name of Object.keys(s.sysctls)) {
      if (isNamespacedSysctl(name, s.networkMode)) continue;
      problems.push(name.startsWith('net.')
        ? `service ${s.name}: sysctl ${name} would change the host's network stack (network_mode: host); docker refuses it too`
        : `service ${s.name}: sysctl ${name} is not namespaced; docker refuses it too (it would change the host's kernel)`);
    }
    for (const cap of [...s.capAdd, ...s.capDrop].map(canonicalCapability)) {
      if (cap !== 'ALL' && !ALL_CAPABILITIES.includes(cap)) problems.push(`service ${s.name}: unknown capability ${cap} in cap_add/cap_drop`);
    }
    for (const [name, lim] of Object.entries(s.ulimits)) {
      if (!ULIMIT_NAMES.includes(name)) problems.push(`service ${s.name}: unknown ulimit ${name}; known: ${ULIMIT_NAMES.join(', ')}`);
      else if (lim.hard >= 0 && lim.soft > lim.hard) problems.push(`service ${s.name}: ulimit ${name}: soft limit ${lim.soft} is above the hard limit ${lim.hard}`);
    }
  }
}
