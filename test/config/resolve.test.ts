import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, resolveConfigPath } from '../../src/config/load.ts';
import { LEGACY_CONFIG_PATH } from '../../src/config/resolve.ts';
import { UsageError } from '../../src/domain/errors.ts';
import { configError, tempDir, write } from './helpers.ts';

test('resolveConfigPath: --config, DNSSYNC_CONFIG, ./dnssync.yaml, .yml, .json, CONFIG_PATH, in that order', (t) => {
  const cwd = tempDir(t);
  const other = tempDir(t);
  const flagFile = write(other, 'flag.yaml', '');
  const envFile = write(other, 'env.json', '');
  const legacy = write(other, 'controllers.json', '');
  for (const name of ['dnssync.yaml', 'dnssync.yml', 'dnssync.json']) write(cwd, name, '');
  const env = { DNSSYNC_CONFIG: envFile, CONFIG_PATH: legacy };

  assert.deepEqual(resolveConfigPath({ flag: flagFile, env, cwd }), { path: flagFile, explicit: true });
  assert.deepEqual(resolveConfigPath({ env, cwd }), { path: envFile, explicit: true });
  const noEnv = { CONFIG_PATH: legacy };
  assert.deepEqual(resolveConfigPath({ env: noEnv, cwd }), { path: join(cwd, 'dnssync.yaml'), explicit: false });
  rmSync(join(cwd, 'dnssync.yaml'));
  assert.deepEqual(resolveConfigPath({ env: noEnv, cwd }), { path: join(cwd, 'dnssync.yml'), explicit: false });
  rmSync(join(cwd, 'dnssync.yml'));
  assert.deepEqual(resolveConfigPath({ env: noEnv, cwd }), { path: join(cwd, 'dnssync.json'), explicit: false });
  rmSync(join(cwd, 'dnssync.json'));
  assert.deepEqual(resolveConfigPath({ env: noEnv, cwd }), { path: legacy, explicit: true });
});

test('resolveConfigPath: a named file is returned even when missing; relative names are taken from cwd', (t) => {
  const cwd = tempDir(t);
  write(cwd, 'dnssync.yaml', '');
  assert.deepEqual(resolveConfigPath({ flag: 'conf/x.yaml', env: {}, cwd }), { path: join(cwd, 'conf/x.yaml'), explicit: true });
  assert.deepEqual(resolveConfigPath({ env: { DNSSYNC_CONFIG: 'nope.json' }, cwd }), { path: join(cwd, 'nope.json'), explicit: true });
  // An empty variable counts as unset, as for every other dnssync variable.
  assert.deepEqual(resolveConfigPath({ env: { DNSSYNC_CONFIG: '' }, cwd }), { path: join(cwd, 'dnssync.yaml'), explicit: false });
  assert.throws(() => resolveConfigPath({ flag: '', env: {}, cwd }), UsageError);
});

test('resolveConfigPath: CONFIG_PATH is returned even when missing, after the local files', (t) => {
  const cwd = tempDir(t);
  const missing = join(cwd, 'gone', 'controllers.json');
  assert.deepEqual(resolveConfigPath({ env: { CONFIG_PATH: missing }, cwd }), { path: missing, explicit: true });
  const msg = configError(() => loadConfig({ path: missing, env: {} })).message;
  assert.equal(msg, `${missing}: file not found`);
});

test('resolveConfigPath: null when nothing is configured or present', { skip: existsSync(LEGACY_CONFIG_PATH) && `${LEGACY_CONFIG_PATH} exists here` }, (t) => {
  assert.equal(resolveConfigPath({ env: {}, cwd: tempDir(t) }), null);
});
