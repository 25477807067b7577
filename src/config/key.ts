/** The API key: where it comes from, and the only form of it that may be shown or stored. */
import { readFileSync } from '../system/fs.ts';
import { resolve } from 'node:path';

export type KeySource = 'file' | 'env' | 'inline';

/** `sha256:` + the first 12 hex digits of the SHA-256 of the key: enough to notice a rotation, useless to an attacker. */
export function keyFingerprint(key: string): string {
  // node:crypto on first use: it takes 6 ms to load, and the read-only commands read no key.
  return 'sha256:' + process.getBuiltinModule('node:crypto').createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12);
}

/**
 * The key itself. `value` is a file name (relative to `baseDir`), a variable name, or the inline key.
 * Throws a plain Error naming the file or variable, never what it holds.
 */
export function readApiKey(source: KeySource, value: string, env: NodeJS.ProcessEnv, baseDir: string): string {
  let key: string;
  if (source === 'file') {
    const file = resolve(baseDir, value);
    try {
      key = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`cannot read key file ${file}: ${reason(e)}`);
    }
    key = key.trimEnd();
    if (key === '') throw new Error(`key file ${file} is empty`);
    if (/[\s\p{Cc}]/u.test(key)) throw new Error(`key file ${file} must hold the key alone on one line`);
  } else if (source === 'env') {
    key = (env[value] ?? '').trimEnd();
    if (key === '') throw new Error(`environment variable ${value} is ${env[value] === undefined ? 'not set' : 'empty'}`);
    if (/[\s\p{Cc}]/u.test(key)) throw new Error(`environment variable ${value} holds whitespace or control characters`);
  } else {
    key = value.trim();
    if (key === '') throw new Error('empty API key');
    if (/[\s\p{Cc}]/u.test(key)) throw new Error('API key holds whitespace or control characters');
  }
  return key;
}

/** A short cause for a failed read, without the stack or the text Node puts around it. */
export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = { ENOENT: 'not found', EACCES: 'permission denied', EISDIR: 'is a directory', EPERM: 'permission denied' };
  return (code && known[code]) ?? code ?? 'unreadable';
}
