// A command line that cannot work as given (unknown service, bad flag value, missing file):
// rendered as one line by cli/errors.ts, exit 2. Its own module so that commands that need
// no stack file (`run --image`) do not load the planner and YAML parser just to throw it.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
