// Typed errors of the records stack keeps under STACK_ROOT (state records, the journal,
// volume records). Each names the file, so a user can look at it; cli/errors.ts renders them.

/** A record that is not what stack wrote: truncated, emptied, garbage or of the wrong shape. */
export class BadRecordError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`state record ${file} is damaged: ${problem}`);
    this.name = 'BadRecordError';
  }
}

/** A record that could not be written (a full disk, most often); nothing half-written is left. */
export class RecordWriteError extends Error {
  constructor(
    readonly file: string,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`cannot write ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RecordWriteError';
  }
}

/** Whether an error (a RecordWriteError's, one from fs, or an init stage's report) says the disk is full. */
export function isNoSpace(err: unknown): boolean {
  const code = err instanceof RecordWriteError ? err.code : (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ENOSPC' ||
    code === 'EDQUOT' ||
    (err instanceof Error && /no space left on device|disk quota exceeded/i.test(err.message))
  );
}
