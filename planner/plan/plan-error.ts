// Problems reconcile() finds when the file is valid but the host cannot satisfy it
// (an image that is not in the store, no free subnet). All are reported together.

export class PlanError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PlanError';
    this.problems = problems;
  }
}
