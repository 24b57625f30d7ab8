// The hex SHA-256 of a text, for the names and config hashes the planner makes for every
// container. Node 20.12 and later have a one-shot crypto.hash, about twice as cheap as
// createHash().update().digest() (a Hash object per call), which a stack of 1000 services
// calls thousands of times; an older Node 20 takes the long way. Both read a string as UTF-8.

import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

export const sha256Hex: (text: string) => string =
  typeof oneShot === 'function'
    ? (text) => oneShot('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');
