import { describe, expect, it } from 'vitest';
import { logPrefixes } from '../../cli/log-prefixes.js';

describe('log prefixes', () => {
  it('pads to the longest service and colours each service its own way, replicas alike', () => {
    expect(logPrefixes(['web', 'db', 'web'], false)).toEqual(['web | ', 'db  | ', 'web | ']);
    const [web, db, web2] = logPrefixes(['web', 'db', 'web'], true);
    expect(web).toBe('\x1b[36mweb | \x1b[0m');
    expect(db).toBe('\x1b[33mdb  | \x1b[0m');
    expect(web2).toBe(web);
  });
});
