// The error of an image that breaks its format (manifest, index, config). In a file of its
// own so that the readers of single config fields can throw it without importing manifest.ts,
// which imports them.

export class ImageFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageFormatError';
  }
}
