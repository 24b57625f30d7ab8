// An endpoint's interface sysctls (`driver_opts` com.docker.network.endpoint.sysctls),
// written in the container's network namespace: a /proc/sys/net file belongs to the
// namespace of whoever opens it, so each is opened with the thread stepped into the
// container's netns and written once the thread is back. Each sysctl is checked again here
// (the record it comes from is a file on disk): the path must stay inside the interface's
// own folder.

import fs from 'node:fs';
import { isInterfaceSysctl, type InterfaceSysctl } from '../../../model/endpoint-options.js';
import { assertIfname } from './literals.js';
import { openInNetns } from './netns-socket.js';

export function writeInterfaceSysctls(netns: number, ifname: string, sysctls: readonly InterfaceSysctl[]): void {
  const name = assertIfname(ifname);
  for (const s of sysctls) {
    if (!isInterfaceSysctl(s)) throw new Error(`invalid interface sysctl: ${JSON.stringify(s)}`);
    const file = `/proc/sys/net/${s.family}/${s.group}/${name}/${s.name}`;
    const fd = openInNetns(netns, () => fs.openSync(file, 'w'));
    try {
      fs.writeSync(fd, s.value);
    } finally {
      fs.closeSync(fd);
    }
  }
}
