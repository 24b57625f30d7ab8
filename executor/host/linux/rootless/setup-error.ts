// Rootless mode's namespaces or their connector could not be set up.

export class RootlessSetupError extends Error {
  constructor(message: string) {
    super(`rootless: ${message}`);
    this.name = 'RootlessSetupError';
  }
}
