// Fault points for the tests that kill a command at an exact step (kill -9 between two
// writes can only be hit by timing otherwise). With STACK_TEST_STOP_AT=<point> the command
// stops itself (SIGSTOP) when it reaches that point; the test sees it stopped, does what it
// checks, and kills it with SIGKILL. Without the variable, a fault point is a comparison.
// In store/ because every room that acts on the host may import store/ (docs/architecture.md).

export type FaultPoint = 'run-claimed' | 'run-published' | 'shadow-built';

export function faultPoint(point: FaultPoint): void {
  if (process.env.STACK_TEST_STOP_AT === point) process.kill(process.pid, 'SIGSTOP');
}
