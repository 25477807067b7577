/** Loading and checking the deployment files: the Kubernetes manifests and the Dockerfile. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigMap, PersistentVolumeClaim, Secret } from 'kubernetes-models/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const K8S_DIR = join(ROOT, 'deploy', 'kubernetes');

export interface Manifest {
  /** Path relative to the repository root, for messages. */
  file: string;
  /** Index of the document within its file. */
  index: number;
  obj: Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string; labels?: Record<string, string> } };
}

/** Every `.yaml`/`.yml` file under `dir`, depth first, sorted. */
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

/**
 * Every document of a multi-document YAML file. YAML 1.1, as kubectl reads it (so that e.g. an
 * octal `0440` would mean what it means to the API server); any parse error or warning throws.
 */
export function loadYaml(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1', prettyErrors: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs
    .map((doc, index) => {
      const problems = [...doc.errors, ...doc.warnings];
      if (problems.length > 0) throw new Error(`${relative(ROOT, file)}[${index}]: ${problems.map((p) => p.message).join('; ')}`);
      return { file: relative(ROOT, file), index, obj: doc.toJS() as Manifest['obj'] };
    })
    .filter((m) => m.obj !== null && m.obj !== undefined);
}

/** The kinds the deployment uses, with the kubernetes-models class that checks each and its type for the strict check. */
export const KINDS = {
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/PersistentVolumeClaim': { model: PersistentVolumeClaim, module: 'kubernetes-models/v1/PersistentVolumeClaim', type: 'IPersistentVolumeClaim' },
  'batch/v1/CronJob': { model: CronJob, module: 'kubernetes-models/batch/v1/CronJob', type: 'ICronJob' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
} as const;
export type KindKey = keyof typeof KINDS;

export function kindKey(m: Manifest): KindKey | undefined {
  const key = `${m.obj.apiVersion}/${m.obj.kind}`;
  return key in KINDS ? (key as KindKey) : undefined;
}

/**
 * The Kubernetes OpenAPI schema check of kubernetes-models (types, required fields, enums,
 * formats). Throws with the file and the schema's message.
 */
export function validateSchema(m: Manifest): void {
  const key = kindKey(m);
  if (!key) throw new Error(`${m.file}[${m.index}]: unexpected kind ${m.obj.apiVersion}/${m.obj.kind}`);
  // Each class takes its own interface; the object is exactly what the file says.
  const Model = KINDS[key].model as unknown as new (data: unknown) => { validate(): void };
  try {
    new Model(m.obj).validate();
  } catch (e) {
    throw new Error(`${m.file}[${m.index}] ${m.obj.kind} ${m.obj.metadata?.name}: ${(e as Error).message}`);
  }
}

/**
 * Unknown fields, as `kubectl apply --validate=strict` reports them: kubernetes-models' schema
 * check lets them through, so each manifest is type-checked as an object literal of its
 * kubernetes-models interface, where TypeScript's excess-property check names every field the
 * API does not have, at any depth. Returns one message per problem.
 */
export function unknownFields(manifests: readonly Manifest[]): string[] {
  const virtual = join(ROOT, 'test', 'deploy', '__manifests__.ts');
  let text = '';
  const starts: { line: number; label: string }[] = [];
  manifests.forEach((m, i) => {
    const key = kindKey(m);
    if (!key) throw new Error(`${m.file}[${m.index}]: unexpected kind ${m.obj.apiVersion}/${m.obj.kind}`);
    const { module, type } = KINDS[key];
    starts.push({ line: text.split('\n').length - 1, label: `${m.file}[${m.index}] ${m.obj.kind} ${m.obj.metadata?.name}` });
    text += `import type { ${type} as T${i} } from '${module}';\nexport const m${i}: T${i} = ${JSON.stringify(m.obj, null, 1)};\n`;
  });
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === virtual ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === virtual || fileExists(name);
  const program = ts.createProgram([virtual], options, host);
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()];
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const owner = starts.filter((s) => s.line <= line).at(-1);
    return `${owner?.label ?? d.file.fileName}: ${message}`;
  });
}

/** `*\/N * * * *` → N minutes; other schedules are not what the deployment uses. */
export function scheduleIntervalSeconds(schedule: string): number {
  const m = /^\*\/(\d+) \* \* \* \*$/.exec(schedule.trim());
  if (!m) throw new Error(`schedule ${JSON.stringify(schedule)}: expected "*/N * * * *"`);
  return Number(m[1]) * 60;
}
