// Waiting for something with a time limit, without the limit outliving the wait. A timer
// left pending after the race is won keeps whatever its promise's reactions reach: the
// init stage's ready wait (container-runtime.ts) held each spawned container's
// ChildProcess, pipes and InitChannel for 30 s after it answered, the ~30 extra Socket
// objects seen in the supervisor's heap snapshots (bench/supervisor-memory.mjs --snapshots).

/**
 * `work`'s value, or `late` when it has not settled within `ms`. The timer is cleared as
 * soon as either happens, and is unref'd: what is waited on keeps the process alive when
 * it must (a child process, a pipe), a time limit alone does not.
 */
export function raceTimeout<T, U>(work: Promise<T>, ms: number, late: U): Promise<T | U> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(late), ms);
    timer.unref();
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
