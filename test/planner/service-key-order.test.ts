// The members of a loaded Service come in one order whatever the file says: the defaults'
// order, then the members a file may leave out, in the order normalize-service.ts sets them.
// `stack config --format json` prints them in that order, so it is part of the output.

import { describe, expect, it } from 'vitest';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import { load } from './helpers.js';

const pos = { file: 'stack.yaml', line: 1, col: 1 };

describe('a loaded service', () => {
  it('has the defaults first, in their order, then what the file adds', () => {
    const stack = load(`
services:
  web:
    build: .
    command: [sleep, "1"]
    entrypoint: [sh, -c]
    stop_signal: SIGINT
    user: "1000"
    ports: ["8080:80"]
    healthcheck: {test: [CMD, "true"]}
`);
    const web = stack.services.find((s) => s.name === 'web')!;
    const defaults = Object.keys(serviceDefaults('web', 'x', pos));
    expect(Object.keys(web)).toEqual([
      ...defaults,
      'imageUnnamed',
      'build',
      'stopSignal',
      'entrypoint',
      'command',
      'healthcheck',
      'user',
    ]);
  });

  it('is the same for a service that gives every defaulted key', () => {
    const stack = load(`
services:
  db:
    image: busybox
    stop_grace_period: 5s
    tmpfs: [/run]
    volumes: [/srv:/srv]
    expose: ["5432"]
`);
    const db = stack.services.find((s) => s.name === 'db')!;
    expect(Object.keys(db)).toEqual(Object.keys(serviceDefaults('db', 'x', pos)));
    expect(db.stopGracePeriodSeconds).toBe(5);
  });
});
