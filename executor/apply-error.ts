// The failed operations of an apply. A module of its own: the error renderer
// (cli/errors.ts) checks for it after any failure, and execute.ts would bring the executor's
// operations into every command that fails.

export class ApplyError extends Error {
  readonly failures: { id: string; error: Error }[];
  constructor(failures: { id: string; error: Error }[]) {
    super(failures.map((f) => `${f.id}: ${f.error.message}`).join('\n'));
    this.name = 'ApplyError';
    this.failures = failures;
  }
}
