/**
 * @actllm/core/node: helpers that need Node's file system, kept out of the main entry so
 * that the contracts stay usable in any JavaScript runtime.
 */
export {
  ATOMIC_TEMP_PREFIX,
  writeDirAtomicSync,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic-write.js';
