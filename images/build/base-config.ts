// The config a stage starts from when it is FROM an image: the image's kept config blob
// when the store has one (built images, and images whose blobs were kept), so labels,
// exposed ports, volumes, ONBUILD triggers and the SHELL carry over as in docker; else the
// fields the image record holds (env, cmd, entrypoint, workdir, user, healthcheck, stop signal).

import fs from 'node:fs';
import type { ImageInfo } from '../../model/observed.js';
import { paths } from '../../store/paths.js';
import { emptyConfig, type ImageConfig } from './build-plan.js';

interface KeptConfig {
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object> | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
    OnBuild?: string[] | null;
    Shell?: string[] | null;
    Healthcheck?: {
      Test?: string[];
      Interval?: number;
      Timeout?: number;
      StartPeriod?: number;
      StartInterval?: number;
      Retries?: number;
    } | null;
  };
}

export async function baseConfig(info: ImageInfo): Promise<ImageConfig> {
  const kept = keptConfig(info);
  if (kept) return fromKept(kept);
  const c = emptyConfig();
  c.env = [...info.env];
  if (info.cmd) c.cmd = info.cmd;
  if (info.entrypoint) c.entrypoint = info.entrypoint;
  if (info.workingDir) c.workingDir = info.workingDir;
  if (info.user) c.user = info.user;
  if (info.stopSignal) c.stopSignal = info.stopSignal;
  if (info.healthcheck) {
    const h = info.healthcheck;
    const ns = (ms: number | undefined) => (ms === undefined ? undefined : ms * 1e6);
    c.healthcheck = {
      test: h.test,
      interval: ns(h.intervalMs),
      timeout: ns(h.timeoutMs),
      startPeriod: ns(h.startPeriodMs),
      startInterval: ns(h.startIntervalMs),
      retries: h.retries,
    };
  }
  return c;
}

/** Blocking reads of two small blobs (plan-build.ts's readDockerfile says why). */
function keptConfig(info: ImageInfo): KeptConfig | undefined {
  if (!info.manifest) return undefined;
  try {
    const manifest = JSON.parse(fs.readFileSync(paths.blobFile(info.manifest), 'utf8')) as {
      config?: { digest?: string };
    };
    if (manifest.config?.digest !== info.id) return undefined;
    return JSON.parse(fs.readFileSync(paths.blobFile(info.id), 'utf8')) as KeptConfig;
  } catch {
    return undefined; // blobs pruned or unreadable: the record's fields still hold the essentials
  }
}

function fromKept(kept: KeptConfig): ImageConfig {
  const k = kept.config ?? {};
  const c = emptyConfig();
  c.env = k.Env ?? [];
  if (k.User) c.user = k.User;
  if (k.ExposedPorts) c.exposedPorts = { ...k.ExposedPorts };
  if (k.Entrypoint) c.entrypoint = k.Entrypoint;
  if (k.Cmd) c.cmd = k.Cmd;
  if (k.Volumes) c.volumes = { ...k.Volumes };
  if (k.WorkingDir) c.workingDir = k.WorkingDir;
  if (k.Labels) c.labels = { ...k.Labels };
  if (k.StopSignal) c.stopSignal = k.StopSignal;
  if (k.OnBuild && k.OnBuild.length > 0) c.onBuild = k.OnBuild;
  if (k.Shell) c.shell = k.Shell;
  if (k.Healthcheck?.Test) {
    const h = k.Healthcheck;
    c.healthcheck = {
      test: h.Test!,
      interval: h.Interval,
      timeout: h.Timeout,
      startPeriod: h.StartPeriod,
      startInterval: h.StartInterval,
      retries: h.Retries,
    };
  }
  return c;
}
