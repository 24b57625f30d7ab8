// Which containers hold a volume, for `stack volume rm`: every container of any stack that
// has a state record, running or not. A stopped container still names the volume in its
// record, and `stack start` would make the volume again, empty, from that old record (the
// store makes a missing volume on every start), so removing it from under a stopped
// container loses the data without a word. Docker refuses both ("volume is in use").

import { isRunning, readState } from '../../store/state-store.js';

export interface VolumeUser {
  container: string;
  project: string;
  running: boolean;
}

/** Volume name → the containers (of any stack) whose records mount it. */
export async function volumeUsers(): Promise<Map<string, VolumeUser[]>> {
  const users = new Map<string, VolumeUser[]>();
  for (const project of await readState.projects()) {
    for (const r of await readState.containers(project)) {
      const user = { container: r.spec.name, project, running: isRunning(r) };
      for (const m of r.spec.mounts ?? [])
        if (m.type === 'volume') users.set(m.source, [...(users.get(m.source) ?? []), user]);
    }
  }
  return users;
}

/** `stack volume rm` of volumes containers still hold; the message names them and the way out. */
export class VolumeInUseError extends Error {
  constructor(readonly users: Map<string, VolumeUser[]>) {
    super([...users].map(([volume, held]) => inUse(volume, held)).join('\n'));
    this.name = 'VolumeInUseError';
  }
}

function inUse(volume: string, held: VolumeUser[]): string {
  const projects = [...new Set(held.map((u) => u.project))];
  const byProject = projects.map(
    (p) =>
      `${held
        .filter((u) => u.project === p)
        .map((u) => `${u.container} (${u.running ? 'running' : 'stopped'})`)
        .join(', ')} of stack ${p}`,
  );
  const downs = projects.map((p) => `\`stack -p ${p} down\``).join(' and ');
  return `volume ${volume} is in use by ${byProject.join(' and ')}; remove ${held.length === 1 ? 'that container' : 'those containers'} first with ${downs} (volumes stay), then run \`stack volume rm ${volume}\` again`;
}
