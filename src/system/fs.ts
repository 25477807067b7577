import type * as NodeFs from 'node:fs';

/**
 * node:fs's functions, taken from its CommonJS object. An `import … from 'node:fs'` builds the
 * module's ES namespace, and Node fills it by reading every export, which loads fs.promises, the
 * file streams and readline: 3 ms of every start-up, where `history` has 100 ms in all (issue 13).
 * test/architecture/lazy-loading.test.ts keeps them unloaded.
 */
const fs: typeof NodeFs = process.getBuiltinModule('node:fs');

export const {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} = fs;
export type { Stats } from 'node:fs';
