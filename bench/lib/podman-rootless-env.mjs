// podman for an ordinary user (the rootless bench): its configuration, storage and run root
// under the user's home and XDG_RUNTIME_DIR in the bench's temp folder, so nothing of the
// host's podman is read or touched. Host quirks as for rootful podman (podman-env.mjs): crun
// refuses this host's hybrid cgroups, so runc; cgroup v1 without systemd, so cgroupfs (a
// rootless podman then makes no cgroups at all, as stack's rootless mode here). Containers
// reach the host through slirp4netns, stack's rootless mode's choice too.

import fs from 'node:fs';
import path from 'node:path';
import { containersConf } from './podman-env.mjs';
import { userEnv } from './rootless-user.mjs';

export function podmanRootlessEnv(user, hard) {
  const dir = path.join(user.home, 'podman');
  fs.mkdirSync(dir, { mode: 0o755 });
  const conf = path.join(dir, 'containers.conf');
  fs.writeFileSync(conf, containersConf(hard, { network: ['default_rootless_network_cmd = "slirp4netns"'] }));
  const storage = path.join(dir, 'storage.conf');
  // rootless_storage_path: a user's podman ignores graphroot.
  fs.writeFileSync(
    storage,
    [
      '[storage]',
      'driver = "overlay"',
      `runroot = "${path.join(user.xdg, 'containers')}"`,
      `rootless_storage_path = "${path.join(user.home, 'containers-storage')}"`,
      '',
    ].join('\n'),
  );
  for (const f of [conf, storage]) fs.chmodSync(f, 0o644);
  fs.chownSync(dir, user.uid, user.gid);
  return userEnv(user, { CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage });
}
