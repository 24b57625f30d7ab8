// The kernel files `stack stats` reads, parsed, for both cgroup versions (the text of each
// as this kernel and a cgroup v2 one write it), on any host.

import { describe, expect, it } from 'vitest';
import {
  blkioBytes,
  ioStatBytes,
  keyValues,
  limitOf,
  netDevBytes,
  procIoBytes,
} from '../../executor/host/linux/stat-files.js';

describe('stat files', () => {
  it('v1 blkio.throttle.io_service_bytes_recursive and v2 io.stat: read and written bytes of every device', () => {
    const v1 = '254:0 Read 4096\n254:0 Write 1048576\n254:0 Sync 0\n254:0 Total 1052672\n8:0 Write 10\nTotal 1052682\n';
    expect(blkioBytes(v1)).toEqual({ read: 4096, write: 1048586 });
    const v2 = '254:0 rbytes=4096 wbytes=1048576 rios=1 wios=16 dbytes=0 dios=0\n8:0 rbytes=1 wbytes=2 rios=1 wios=1\n';
    expect(ioStatBytes(v2)).toEqual({ read: 4097, write: 1048578 });
  });

  it('memory.stat, limits (v2 max, v1 beyond the host), /proc/PID/io, net/dev without lo', () => {
    expect(keyValues('inactive_file 4096\nactive_file 12\n').get('inactive_file')).toBe(4096);
    expect(limitOf('max\n', 1000)).toBe(1000);
    expect(limitOf('9223372036854771712\n', 1000)).toBe(1000);
    expect(limitOf('512\n', 1000)).toBe(512);
    expect(procIoBytes('rchar: 9\nwchar: 9\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n')).toEqual({
      read: 4096,
      write: 8192,
    });
    const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
  eth0:    1234      10    0    0    0     0          0         0      567       5    0    0    0     0       0          0
  eth1:       6       1    0    0    0     0          0         0        4       1    0    0    0     0       0          0
`;
    expect(netDevBytes(dev)).toEqual({ rx: 1240, tx: 571 });
  });
});
