import { closeSync, openSync, readSync } from '../system/fs.ts';
import { DatabaseError } from '../domain/errors.ts';
import { reasonOf } from './access.ts';

/** The 16 bytes every SQLite database file starts with. */
export const SQLITE_HEADER = 'SQLite format 3\0';

/** The first 16 bytes of a file (fewer when it is shorter), read without SQLite. */
export function fileHeader(path: string): Buffer {
  const bytes = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const read = readSync(fd, bytes, 0, 16, 0);
    return bytes.subarray(0, read);
  } catch (error) {
    // EISDIR and the like come from read(), which names no path.
    throw new DatabaseError(`cannot read database ${path}: ${reasonOf(error)}`, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function hasSqliteHeader(path: string): boolean {
  return fileHeader(path).toString('latin1') === SQLITE_HEADER;
}

/** The page size the header declares (bytes 16–17, big-endian; 1 means 65536), or null without a readable one. */
export function pageSizeOf(path: string): number | null {
  const bytes = Buffer.alloc(18);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, bytes, 0, 18, 0) < 18) return null;
  } finally {
    closeSync(fd);
  }
  const size = bytes.readUInt16BE(16);
  return size === 1 ? 65536 : size >= 512 && (size & (size - 1)) === 0 ? size : null;
}
