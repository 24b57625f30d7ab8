import { describe, expect, it } from 'vitest';
import { errnoName, SyscallError } from '../../executor/host/linux/syscall-error.js';

describe('SyscallError code names', () => {
  // errno 11 has two names; callers (NetlinkSocket's "the kernel sent no reply") test for
  // EAGAIN, the name strace and the man pages print.
  it('names errno 11 EAGAIN, not its alias EWOULDBLOCK', () => {
    expect(errnoName(11)).toBe('EAGAIN');
    expect(new SyscallError('recv', 11, [3]).code).toBe('EAGAIN');
  });

  it('names errno 95 EOPNOTSUPP, as the kernel and strace do for netlink and sockets', () => {
    expect(errnoName(95)).toBe('EOPNOTSUPP');
  });

  it('names an errno it does not know by number', () => {
    expect(errnoName(4095)).toBe('errno 4095');
  });
});
