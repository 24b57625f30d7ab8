// The mark in the name of a layer folder that is not yet (or no longer) a layer: unpacked
// there before it gets its final name, or set aside on its way out. Its own module: the
// image mounts of every container start (executor/host/linux/image-mount-layers.ts) need
// the name only, not the unpacker (tar-stream, zlib, zstd: ~2 ms of CPU at each `run`).

/** `<layer>.partial-PID-RANDOM`. */
export const PARTIAL_MARK = '.partial-';
