import { existsSync } from '../system/fs.ts';
import { resolve } from 'node:path';
import { UsageError } from '../domain/errors.ts';

/** Where the legacy tool's Helm chart mounts its Secret. */
export const LEGACY_CONFIG_PATH = '/config/controllers.json';
const LOCAL_NAMES = ['dnssync.yaml', 'dnssync.yml', 'dnssync.json'];

/**
 * Which config file to load (SPEC §2): --config, DNSSYNC_CONFIG, ./dnssync.{yaml,yml,json}, CONFIG_PATH,
 * /config/controllers.json. A path the user named (flag or variable) is returned even when missing, so
 * that loading reports it; the defaults count only when they exist. null: no config anywhere.
 */
export function resolveConfigPath(options: { flag?: string; env: NodeJS.ProcessEnv; cwd: string }): { path: string; explicit: boolean } | null {
  const { flag, env, cwd } = options;
  if (flag === '') throw new UsageError('--config: empty path');
  const named = flag ?? (env.DNSSYNC_CONFIG || undefined);
  if (named) return { path: resolve(cwd, named), explicit: true };
  for (const name of LOCAL_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return { path, explicit: false };
  }
  if (env.CONFIG_PATH) return { path: resolve(cwd, env.CONFIG_PATH), explicit: true };
  if (existsSync(LEGACY_CONFIG_PATH)) return { path: LEGACY_CONFIG_PATH, explicit: false };
  return null;
}
