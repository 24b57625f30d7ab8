// The container's folders are removed by store/remove-tree.ts, shared with the image builder
// (a RUN step's upper dir), which may not import the executor.
export { removeFile, removeTree } from '../../../store/remove-tree.js';
