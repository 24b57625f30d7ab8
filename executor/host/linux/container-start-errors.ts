// Errors of a container's start and stop that the user can act on: each names the container,
// what is wrong, and what to do. The CLI renders them (cli/errors.ts); through the supervisor
// they travel as their message.

/** A layer of the container's image is gone from the store after the plan chose the image. */
export class MissingLayerError extends Error {
  constructor(
    readonly container: string,
    readonly image: string,
    readonly layer: string,
    readonly dir: string,
  ) {
    super(
      `container ${container}: layer ${layer} of image ${image} is missing from the store (${dir}); ` +
        `it was removed after the image was stored (an image prune, a folder deleted by hand). ` +
        `Fetch the image again (stack pull, or stack build for a built one), then run the command again`,
    );
    this.name = 'MissingLayerError';
  }
}

/** A stop or kill signal the host does not know (a record of another version, an image's odd StopSignal). */
export class UnknownSignalError extends Error {
  constructor(
    readonly signal: string,
    readonly container: string | undefined,
  ) {
    super(
      `${container === undefined ? 'a container' : `container ${container}`}: cannot send signal "${signal}": not a signal ` +
        `this host knows. Use a signal name such as SIGTERM, SIGINT or SIGQUIT, or a number from 1 to 64, ` +
        `in the service's stop_signal (then stack up --force-recreate) or in kill -s`,
    );
    this.name = 'UnknownSignalError';
  }
}
