// The value of every Service attribute the file leaves out, as docker compose defaults it.
// normalize() starts from here; tests build services from here too.

import type { Service, SourcePos } from '../../model/types.js';

export function serviceDefaults(name: string, image: string, pos: SourcePos): Service {
  return {
    name,
    image,
    pullPolicy: 'missing',
    environment: {},
    ports: [],
    expose: [],
    dependsOn: [],
    networks: [],
    volumes: [],
    tmpfs: [],
    secrets: [],
    configs: [],
    restart: { name: 'no' },
    replicas: 1,
    resources: {},
    labels: {},
    capAdd: [],
    capDrop: [],
    privileged: false,
    readOnly: false,
    securityOpt: [],
    init: false,
    tty: false,
    stdinOpen: false,
    sysctls: {},
    ulimits: {},
    extraHosts: [],
    dns: [],
    dnsSearch: [],
    dnsOpt: [],
    stopGracePeriodSeconds: 10,
    profiles: [],
    pos,
  };
}
