import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { test } from 'node:test';
import { isScalar, parseAllDocuments, parseDocument } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { tempDir } from '../support/tmp.ts';
import { dockerUser, dockerWorkdir } from './dockerfile.ts';
import { K8S_DIR, ROOT, loadYaml, scheduleIntervalSeconds, unknownFields, validateSchema, yamlFiles, type Manifest } from './manifests.ts';

/** Where the Secret's files appear in the container; apiKeyFile paths are under it. */
const SECRET_MOUNT = '/run/secrets/dnssync';

// ---- the files, loaded once -------------------------------------------------------------------

const all = yamlFiles(K8S_DIR).flatMap(loadYaml);
const isKustomize = (m: Manifest) => m.obj.kind === 'Kustomization' || m.obj.kind === 'Component';
const resources = all.filter((m) => !isKustomize(m));
const kustomizations = all.filter((m) => m.obj.kind === 'Kustomization');

type Obj = Record<string, any>;
const one = (kind: string, file?: string): Obj => {
  const found = resources.filter((m) => m.obj.kind === kind && (file === undefined || m.file === file));
  assert.equal(found.length, 1, `exactly one ${kind}${file ? ` in ${file}` : ''}; found ${found.length}`);
  return found[0]!.obj as Obj;
};
const cronJob = one('CronJob');
const dryRunJob = one('Job');
const configMap = one('ConfigMap');
const secret = one('Secret');
const pvc = one('PersistentVolumeClaim');
const cronPod: Obj = cronJob.spec.jobTemplate.spec.template.spec;
const dryPod: Obj = dryRunJob.spec.template.spec;
const container = (pod: Obj): Obj => {
  const c = (pod.containers as Obj[]).filter((x) => x.name === 'dnssync');
  assert.equal(c.length, 1, 'one container named dnssync');
  return c[0]!;
};
const kustomization = (dir: string): Obj => {
  const k = kustomizations.filter((m) => dirname(join(ROOT, m.file)) === dir);
  assert.equal(k.length, 1, `one kustomization.yaml in ${relative(ROOT, dir)}`);
  return k[0]!.obj as Obj;
};
const base = kustomization(K8S_DIR);
const dryRunDir = join(K8S_DIR, 'dry-run');
const dryRunKustomization = kustomization(dryRunDir);

// ---- schema -----------------------------------------------------------------------------------

test('every manifest is one of the expected kinds, and there is nothing else', () => {
  assert.deepEqual(
    resources.map((m) => `${m.obj.apiVersion}/${m.obj.kind}`).sort(),
    ['batch/v1/CronJob', 'batch/v1/Job', 'v1/ConfigMap', 'v1/PersistentVolumeClaim', 'v1/Secret'],
  );
});

test('every manifest passes the Kubernetes schema (kubernetes-models validate())', () => {
  for (const m of resources) validateSchema(m);
});

test('the schema check does catch a wrong type, so passing it means something', () => {
  const broken = structuredClone(resources.find((m) => m.obj.kind === 'CronJob')!) as Manifest;
  (broken.obj as Obj).spec.jobTemplate.spec.backoffLimit = 'two';
  assert.throws(() => validateSchema(broken), /backoffLimit must be integer/);
});

test('no manifest has a field the Kubernetes API does not know (kubectl --validate=strict)', () => {
  assert.deepEqual(unknownFields(resources), []);
});

test('the unknown-field check does catch a misspelt field at any depth', () => {
  const broken = structuredClone(resources.find((m) => m.obj.kind === 'CronJob')!) as Manifest;
  container((broken.obj as Obj).spec.jobTemplate.spec.template.spec).securityContext.readOnlyRootFileSystem = true;
  const problems = unknownFields([broken]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /cronjob\.yaml.*readOnlyRootFileSystem/);
});

test('every resource and pod template is labelled app.kubernetes.io/name: dnssync', () => {
  for (const m of resources) assert.equal(m.obj.metadata?.labels?.['app.kubernetes.io/name'], 'dnssync', `${m.file} ${m.obj.kind}`);
  assert.equal(cronJob.spec.jobTemplate.metadata.labels['app.kubernetes.io/name'], 'dnssync');
  assert.equal(cronJob.spec.jobTemplate.spec.template.metadata.labels['app.kubernetes.io/name'], 'dnssync');
  assert.equal(dryRunJob.spec.template.metadata.labels['app.kubernetes.io/name'], 'dnssync');
});

// ---- kustomize --------------------------------------------------------------------------------

const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'labels', 'commonAnnotations', 'patches', 'components']);

test('the base kustomization lists every manifest of deploy/kubernetes but the example Secret', () => {
  assert.equal(base.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  for (const k of [base, dryRunKustomization]) {
    for (const key of Object.keys(k)) assert.ok(KUSTOMIZATION_FIELDS.has(key), `kustomization field ${key}`);
  }
  const listed = (base.resources as string[]).slice().sort();
  for (const r of listed) assert.ok(existsSync(join(K8S_DIR, r)), `${r} exists`);
  const here = resources.filter((m) => dirname(join(ROOT, m.file)) === K8S_DIR).map((m) => posix.basename(m.file));
  // The example Secret's placeholders must never overwrite the real keys on `kubectl apply -k`.
  assert.deepEqual(listed, here.filter((f) => f !== 'secret.example.yaml').sort());
  assert.ok(!listed.includes('secret.example.yaml'));
  assert.ok(!listed.some((r) => r.includes('dry-run')), 'the dry-run Job is not applied with the CronJob');
});

test('the dry-run kustomization holds only the Job, and sets the same image as the base', () => {
  assert.deepEqual(dryRunKustomization.resources, ['job.yaml']);
  assert.ok(existsSync(join(dryRunDir, 'job.yaml')));
  assert.deepEqual(dryRunKustomization.images, base.images);
  const names = (base.images as Obj[]).map((i) => i.name);
  assert.ok(names.includes(container(cronPod).image), 'the CronJob image is the one `images` rewrites');
  assert.ok(names.includes(container(dryPod).image), 'the dry-run image is the one `images` rewrites');
});

// ---- the CronJob ------------------------------------------------------------------------------

test('CronJob: one run at a time, a starting deadline, retries and a run deadline within the interval', () => {
  const interval = scheduleIntervalSeconds(cronJob.spec.schedule);
  assert.equal(cronJob.spec.concurrencyPolicy, 'Forbid');
  assert.ok(Number.isInteger(cronJob.spec.startingDeadlineSeconds) && cronJob.spec.startingDeadlineSeconds > 0);
  assert.ok(cronJob.spec.startingDeadlineSeconds <= interval, 'a late start never runs into the next slot');
  const job = cronJob.spec.jobTemplate.spec;
  assert.ok(Number.isInteger(job.backoffLimit) && job.backoffLimit >= 0 && job.backoffLimit <= 6);
  assert.ok(Number.isInteger(job.activeDeadlineSeconds) && job.activeDeadlineSeconds > 0);
  assert.ok(job.activeDeadlineSeconds < interval, 'a hung run is stopped before the next slot');
});

test('CronJob: exit codes 2 and 4 fail the Job at once (podFailurePolicy), which needs restartPolicy Never', () => {
  const rules = cronJob.spec.jobTemplate.spec.podFailurePolicy.rules as Obj[];
  const failJob = rules.filter((r) => r.action === 'FailJob' && r.onExitCodes);
  assert.equal(failJob.length, 1);
  const codes = failJob[0]!.onExitCodes;
  assert.equal(codes.operator, 'In');
  assert.deepEqual([...codes.values].sort(), [2, 4]);
  if (codes.containerName !== undefined) assert.equal(codes.containerName, container(cronPod).name);
  assert.equal(cronPod.restartPolicy, 'Never');
  // No rule may swallow a real failure of dnssync: exit codes are acted on only by FailJob.
  for (const r of rules.filter((x) => x.onExitCodes)) assert.equal(r.action, 'FailJob');
});

test('CronJob: the grace period outlasts the requests in flight on SIGTERM', () => {
  const config = loadConfigMapConfig().config;
  const grace = cronPod.terminationGracePeriodSeconds;
  assert.ok(Number.isInteger(grace));
  assert.ok(grace * 1000 >= config.sync.requestTimeoutMs + 15_000, `${grace}s vs requestTimeout ${config.sync.requestTimeoutMs}ms`);
  assert.ok(grace <= 300);
  assert.ok(grace < cronJob.spec.jobTemplate.spec.activeDeadlineSeconds);
});

/** Non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp. */
function assertLockedDown(pod: Obj): void {
  const podSc = pod.securityContext as Obj;
  const c = container(pod);
  const sc = c.securityContext as Obj;
  assert.equal(podSc.runAsNonRoot, true);
  assert.ok(Number.isInteger(podSc.runAsUser) && podSc.runAsUser > 0);
  assert.equal(podSc.runAsUser, dockerUser().uid, "the image's user, which has a passwd entry (dnssync records the run's user name)");
  assert.ok(Number.isInteger(podSc.fsGroup) && podSc.fsGroup > 0);
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.notEqual(sc.privileged, true);
  assert.deepEqual(sc.capabilities.drop, ['ALL']);
  assert.equal(sc.capabilities.add, undefined);
  assert.equal((sc.seccompProfile ?? podSc.seccompProfile)?.type, 'RuntimeDefault');
  assert.equal(sc.runAsUser ?? podSc.runAsUser, podSc.runAsUser);
}

/** A writable emptyDir at /tmp (tsx's cache), since the root filesystem is read-only. */
function assertTmp(pod: Obj): void {
  const mount = (container(pod).volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
  assert.ok(mount, '/tmp is mounted');
  assert.notEqual(mount.readOnly, true);
  const volume = (pod.volumes as Obj[]).find((v) => v.name === mount.name);
  assert.ok(volume?.emptyDir, '/tmp is an emptyDir');
}

/** The volume mounted at `path`, checking that every mount has its volume. */
function mountAt(pod: Obj, path: string): { mount: Obj; volume: Obj } {
  const c = container(pod);
  const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
  for (const m of c.volumeMounts as Obj[]) assert.ok(volumes.has(m.name), `volume ${m.name} is defined`);
  const m = (c.volumeMounts as Obj[]).find((x) => x.mountPath === path);
  assert.ok(m, `a mount at ${path}`);
  return { mount: m, volume: volumes.get(m.name)! };
}

/** Secret files readable by the owner (root) and group (fsGroup) only: API keys are never world-readable. */
function assertSecretMode(volume: Obj): void {
  assert.ok(Number.isInteger(volume.secret.defaultMode), 'defaultMode is set');
  assert.equal(volume.secret.defaultMode & 0o007, 0, 'no access for others');
  assert.equal(volume.secret.defaultMode & 0o040, 0o040, 'readable by fsGroup');
}

/** dnssync's rule: --db, then DNSSYNC_DB, then DB_PATH, then ./dnssync.db in the working directory. */
function databasePath(pod: Obj): string {
  const c = container(pod);
  assert.ok(!(c.args as string[]).includes('--db'));
  return envValue(c, 'DNSSYNC_DB') ?? envValue(c, 'DB_PATH') ?? posix.join(c.workingDir ?? dockerWorkdir(), 'dnssync.db');
}

for (const [name, pod] of [
  ['CronJob', cronPod],
  ['dry-run Job', dryPod],
] as const) {
  test(`${name}: non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp`, () => {
    assertLockedDown(pod);
  });

  test(`${name}: a writable emptyDir at /tmp, since the root filesystem is read-only`, () => {
    assertTmp(pod);
  });

  test(`${name}: /data is the PVC, the config file is the ConfigMap's, the key files are the Secret's`, () => {
    const data = mountAt(pod, '/data');
    assert.equal(data.volume.persistentVolumeClaim?.claimName, pvc.metadata.name);
    assert.notEqual(data.mount.readOnly, true);

    const configPath = envValue(container(pod), 'DNSSYNC_CONFIG');
    assert.ok(configPath, 'DNSSYNC_CONFIG is set');
    const config = mountAt(pod, posix.dirname(configPath));
    assert.equal(config.volume.configMap?.name, configMap.metadata.name);
    assert.equal(config.mount.readOnly, true);
    assert.ok(posix.basename(configPath) in configMap.data, `the ConfigMap has the key ${posix.basename(configPath)}`);

    const keys = mountAt(pod, SECRET_MOUNT);
    assert.equal(keys.volume.secret?.secretName, secret.metadata.name);
    assert.equal(keys.mount.readOnly, true);
    assertSecretMode(keys.volume);
    assert.equal((pod.volumes as Obj[]).filter((v) => v.secret).length, 1, 'one Secret volume');
  });

  test(`${name}: the database path resolves into the /data volume`, () => {
    assert.match(databasePath(pod), /^\/data\/[^/]+$/);
  });
}

test('CronJob: runs `dnssync sync` with JSON log lines and no TTY', () => {
  const c = container(cronPod);
  const args = c.args as string[];
  assert.equal(c.command, undefined, "the image's tini entrypoint stays");
  assert.equal(args[0], 'sync');
  assert.ok(!args.includes('--dry-run'));
  const i = args.indexOf('--log-format');
  const format = i >= 0 ? args[i + 1] : envValue(c, 'DNSSYNC_LOG_FORMAT');
  assert.ok(format === 'json' || (format === undefined && c.tty !== true), 'JSON log lines');
  assert.notEqual(c.tty, true);
});

test('dry-run Job: `dnssync sync --dry-run` once, in the same pod as the CronJob', () => {
  const args = container(dryPod).args as string[];
  assert.deepEqual(args.slice(0, 2), ['sync', '--dry-run']);
  assert.equal(dryRunJob.spec.backoffLimit, 0);
  assert.equal(dryPod.restartPolicy, 'Never');
  // Everything but the arguments matches the CronJob's pod: config, keys, volume, security.
  const strip = (pod: Obj) => {
    const copy = structuredClone(pod);
    for (const c of copy.containers) delete c.args;
    return copy;
  };
  assert.deepEqual(strip(dryPod), strip(cronPod));
});

test('PersistentVolumeClaim: ReadWriteOnce with a storage request', () => {
  assert.deepEqual(pvc.spec.accessModes, ['ReadWriteOnce']);
  assert.match(pvc.spec.resources.requests.storage, /^\d+(Mi|Gi)$/);
});

// ---- the config in the ConfigMap, through dnssync's own loader --------------------------------

/**
 * The ConfigMap's dnssync.yaml, as dnssync loads it. The Secret's files cannot exist at
 * /run/secrets/dnssync here, so each apiKeyFile under that mount is pointed at the same-named
 * file in a temp folder holding the example Secret's values; nothing else of the config changes.
 */
function loadConfigMapConfig() {
  const dir = tempDir('dnssync-deploy-');
  const keysDir = join(dir, 'secrets');
  mkdirSync(keysDir);
  const values: Record<string, string> = { ...(secret.stringData ?? {}) };
  for (const [k, v] of Object.entries((secret.data ?? {}) as Record<string, string>)) values[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(values)) writeFileSync(join(keysDir, k), `${v}\n`);

  const configKey = posix.basename(envValue(container(cronPod), 'DNSSYNC_CONFIG')!);
  const original = configMap.data[configKey] as string;
  const doc = parseDocument(original);
  assert.deepEqual(doc.errors, []);
  const controllers = doc.get('controllers') as { items: unknown[] };
  const keyFiles: string[] = [];
  // Each value is replaced in the text itself, so that every other byte of the file stays as it is.
  const edits: { start: number; end: number; value: string }[] = [];
  controllers.items.forEach((_, i) => {
    const node = doc.getIn(['controllers', i, 'apiKeyFile'], true);
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
    keyFiles.push(node.value);
    assert.equal(posix.dirname(node.value), SECRET_MOUNT, `controllers[${i}].apiKeyFile is a file of the Secret's mount`);
    edits.push({ start: node.range[0], end: node.range[1], value: JSON.stringify(join(keysDir, posix.basename(node.value))) });
  });
  let rewritten = original;
  for (const e of edits.sort((a, b) => b.start - a.start)) rewritten = rewritten.slice(0, e.start) + e.value + rewritten.slice(e.end);
  const path = join(dir, configKey);
  writeFileSync(path, rewritten);
  const config = loadConfig({ path, env: {} });
  return { config, keyFiles, values, original, rewritten: readFileSync(path, 'utf8') };
}

test('the ConfigMap config is accepted by dnssync’s own config loader, with no warnings', () => {
  const { config, keyFiles, values } = loadConfigMapConfig();
  assert.equal(config.format, 'yaml');
  assert.ok(config.controllers.length >= 1);
  assert.deepEqual(config.warnings, []);
  for (const c of config.controllers) {
    assert.equal(c.keySource, 'file', `${c.name}: the key comes from a file of the Secret`);
    assert.equal(c.tls.verify, true, `${c.name}: TLS is verified`);
    assert.match(c.url, /^https:\/\//);
  }
  assert.equal(keyFiles.length, config.controllers.length, 'every controller names a key file');
  // Each key read is the Secret's value under the file's name: mount, Secret and config agree.
  config.controllers.forEach((c, i) => assert.equal(c.apiKey, values[posix.basename(keyFiles[i]!)]));
  assert.equal(new Set(keyFiles).size, keyFiles.length, 'one key file per controller');
});

test('the example Secret holds a placeholder for every key file the config names, and nothing real', () => {
  const { keyFiles, values } = loadConfigMapConfig();
  assert.deepEqual(Object.keys(values).sort(), keyFiles.map((f) => posix.basename(f)).sort());
  for (const v of Object.values(values)) assert.match(v, /^REPLACE-WITH-/);
});

test('only the apiKeyFile paths differ between the ConfigMap config and the file the test loads', () => {
  const { original, rewritten } = loadConfigMapConfig();
  const blank = (text: string) => text.replace(/(apiKeyFile: )("[^"]*"|\S+)/g, '$1X');
  assert.equal(blank(rewritten), blank(original));
  assert.notEqual(rewritten, original);
  assert.match(original, /apiKeyFile: \/run\/secrets\/dnssync\//);
});

// ---- upgrading from the Python tool: the legacy component ---------------------------------------

const LEGACY_DIR = join(K8S_DIR, 'legacy');
const legacyComponent = all.find((m) => m.obj.kind === 'Component' && dirname(join(ROOT, m.file)) === LEGACY_DIR)?.obj as Obj | undefined;
/** The component's patches, parsed (each is a YAML string in the file). */
const legacyPatches = (): Obj[] => ((legacyComponent?.patches ?? []) as Obj[]).map((p) => parseDocument(p.patch as string).toJS() as Obj);

test('the legacy component is a kustomize Component, off by default in the base', () => {
  assert.ok(legacyComponent, 'deploy/kubernetes/legacy/kustomization.yaml exists');
  assert.equal(legacyComponent.apiVersion, 'kustomize.config.k8s.io/v1alpha1');
  assert.equal(base.components, undefined, 'not enabled unless the user enables it');
  // The base says how to enable it, in a comment a user uncomments.
  assert.match(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8'), /^# components:\n#   - legacy$/m);
});

test('the legacy component replaces the ConfigMap, key Secret and PVC by the Python tool’s Secret and volume', () => {
  const patches = legacyPatches();
  const deleted = patches.filter((p) => p.$patch === 'delete').map((p) => `${p.kind}/${p.metadata.name}`).sort();
  assert.deepEqual(deleted, [`ConfigMap/${configMap.metadata.name}`, `PersistentVolumeClaim/${pvc.metadata.name}`].sort());
  const cron = patches.filter((p) => p.kind === 'CronJob');
  assert.equal(cron.length, 1);
  assert.equal(cron[0]!.metadata.name, cronJob.metadata.name);
  const pod = cron[0]!.spec.jobTemplate.spec.template.spec as Obj;
  const c = (pod.containers as Obj[]).find((x) => x.name === container(cronPod).name)!;
  assert.ok(c, 'patches the dnssync container');
  const env = Object.fromEntries((c.env as Obj[]).map((e) => [e.name, e.value]));
  assert.equal(env.DNSSYNC_CONFIG, '/config/controllers.json', "the legacy tool's config path");
  assert.equal(env.DB_PATH, '/data/dns_sync.db', "the legacy tool's database, converted in place");
  assert.equal(env.DNSSYNC_DB, undefined, 'DNSSYNC_DB would win over DB_PATH');

  // What it deletes exists in the base; what it adds is mounted where the env says.
  const baseVolumes = new Set((cronPod.volumes as Obj[]).map((v) => v.name));
  const baseMounts = new Set((container(cronPod).volumeMounts as Obj[]).map((m) => m.mountPath));
  const volumePatches = pod.volumes as Obj[];
  const deletedVolumes = volumePatches.filter((v) => v.$patch === 'delete').map((v) => v.name);
  for (const v of deletedVolumes) assert.ok(baseVolumes.has(v), `volume ${v} exists in the base`);
  for (const m of (c.volumeMounts as Obj[]).filter((x) => x.$patch === 'delete')) assert.ok(baseMounts.has(m.mountPath), `mount ${m.mountPath}`);
  const configVolume = (pod.volumes as Obj[]).find((v) => v.name === (c.volumeMounts as Obj[]).find((m) => m.mountPath === '/config')?.name);
  assert.ok(configVolume?.secret?.secretName, '/config is a Secret');
  assertSecretMode(configVolume);
  const data = volumePatches.find((v) => v.name === 'data');
  assert.ok(data?.persistentVolumeClaim?.claimName, 'the data volume is the legacy PVC');
  assert.notEqual(data.persistentVolumeClaim.claimName, pvc.metadata.name);
  // The base's ConfigMap and key Secret are not mounted any more (the legacy config holds the keys).
  for (const v of cronPod.volumes as Obj[]) {
    if (v.configMap?.name === configMap.metadata.name || v.secret?.secretName === secret.metadata.name) {
      assert.ok(deletedVolumes.includes(v.name), `volume ${v.name} (${v.configMap ? 'ConfigMap' : 'Secret'}) is removed`);
    }
  }
  // Nothing is left pointing at what was removed.
  const removedVolumeNames = new Set(deletedVolumes);
  for (const m of container(cronPod).volumeMounts as Obj[]) {
    if (removedVolumeNames.has(m.name)) assert.ok((c.volumeMounts as Obj[]).some((x) => x.$patch === 'delete' && x.mountPath === m.mountPath), `mount ${m.mountPath} goes too`);
  }
});

// ---- kustomize itself, where kubectl is installed ------------------------------------------------

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const noKubectl = kubectl ? false : 'kubectl is not installed: `kubectl kustomize` cannot be run';

/** `kubectl kustomize DIR`, as objects. */
function kustomize(dir: string): Obj[] {
  const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(out.status, 0, out.stderr);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as Obj);
}
const asManifests = (objs: Obj[], file: string): Manifest[] => objs.map((obj, index) => ({ file, index, obj }));
const image = (b: Obj) => `${b.images[0].newName}:${b.images[0].newTag}`;

test('kubectl kustomize deploy/kubernetes: the files, with the image set, and valid', { skip: noKubectl }, () => {
  const rendered = kustomize(K8S_DIR);
  assert.deepEqual(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['ConfigMap/dnssync-config', 'CronJob/dnssync', 'PersistentVolumeClaim/dnssync-data']);
  const cron = rendered.find((o) => o.kind === 'CronJob')!;
  assert.equal(container(cron.spec.jobTemplate.spec.template.spec).image, image(base));
  for (const m of asManifests(rendered, 'kustomize deploy/kubernetes')) validateSchema(m);
  assert.deepEqual(unknownFields(asManifests(rendered, 'kustomize deploy/kubernetes')), []);
});

test('kubectl kustomize deploy/kubernetes/dry-run: the Job alone, with the same image', { skip: noKubectl }, () => {
  const rendered = kustomize(dryRunDir);
  assert.deepEqual(rendered.map((o) => `${o.kind}/${o.metadata.name}`), [`Job/${dryRunJob.metadata.name}`]);
  assert.equal(container(rendered[0]!.spec.template.spec).image, image(base));
});

test('kubectl kustomize with the legacy component enabled: the Python tool’s Secret and volume, nothing dangling', { skip: noKubectl }, () => {
  // What a user does: uncomment `components` in their copy of deploy/kubernetes.
  const copy = join(tempDir('dnssync-kustomize-'), 'kubernetes');
  cpSync(K8S_DIR, copy, { recursive: true });
  const file = join(copy, 'kustomization.yaml');
  const enabled = readFileSync(file, 'utf8').replace('# components:\n#   - legacy', 'components:\n  - legacy');
  assert.notEqual(enabled, readFileSync(file, 'utf8'));
  writeFileSync(file, enabled);
  const rendered = kustomize(copy);
  assert.deepEqual(rendered.map((o) => `${o.kind}/${o.metadata.name}`), ['CronJob/dnssync'], 'no new ConfigMap or PVC');
  for (const m of asManifests(rendered, 'kustomize legacy')) validateSchema(m);
  assert.deepEqual(unknownFields(asManifests(rendered, 'kustomize legacy')), []);
  const pod = rendered[0]!.spec.jobTemplate.spec.template.spec as Obj;
  assertLockedDown(pod);
  assertTmp(pod);
  assert.equal(databasePath(pod), '/data/dns_sync.db');
  const config = mountAt(pod, posix.dirname(envValue(container(pod), 'DNSSYNC_CONFIG')!));
  assert.ok(config.volume.secret, "the config is the legacy tool's Secret");
  assert.ok(mountAt(pod, '/data').volume.persistentVolumeClaim, '/data is a PVC');
  const text = JSON.stringify(pod);
  for (const gone of [configMap.metadata.name, secret.metadata.name, pvc.metadata.name]) assert.ok(!text.includes(`"${gone}"`), `nothing refers to ${gone}`);
});

// ---- helpers ----------------------------------------------------------------------------------

function envValue(c: Obj, name: string): string | undefined {
  const entry = ((c.env ?? []) as Obj[]).find((e) => e.name === name);
  if (entry && entry.value === undefined) assert.fail(`${name} must be a plain value`);
  return entry?.value;
}
