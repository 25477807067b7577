/** The Dockerfile, parsed with dockerfile-ast (the parser of the VS Code Docker tools) into build stages. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Copy, DockerfileParser, JSONInstruction, type Instruction } from 'dockerfile-ast';
import { ROOT } from './manifests.ts';

export const DOCKERFILE = join(ROOT, 'Dockerfile');
export const dockerfileText = (): string => readFileSync(DOCKERFILE, 'utf8');

export interface Stage {
  /** `AS` name, or the stage's index as a string. */
  name: string;
  /** The image or stage named by FROM. */
  from: string;
  /** The registry image this stage is built on, following FROM <stage> back to an image. */
  baseImage: string;
  instructions: Instruction[];
}

export function stages(text = dockerfileText()): Stage[] {
  const parsed = DockerfileParser.parse(text);
  const result: Stage[] = [];
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const from = args[0] ?? '';
      const asIndex = args.findIndex((a) => a.toUpperCase() === 'AS');
      const name = asIndex >= 0 ? (args[asIndex + 1] ?? '') : String(result.length);
      const parent = result.find((s) => s.name.toLowerCase() === from.toLowerCase());
      result.push({ name, from, baseImage: parent ? parent.baseImage : from, instructions: [] });
    } else {
      const current = result.at(-1);
      if (!current) throw new Error(`${keyword} before the first FROM`);
      current.instructions.push(instruction);
    }
  }
  return result;
}

export const finalStage = (all = stages()): Stage => {
  const last = all.at(-1);
  if (!last) throw new Error('the Dockerfile has no FROM');
  return last;
};

export const byKeyword = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.getKeyword() === keyword);

/** The exec-form (JSON) arguments of ENTRYPOINT/CMD/VOLUME, or null when written in shell form. */
export function jsonArgs(instruction: Instruction): string[] | null {
  if (!(instruction instanceof JSONInstruction)) return null;
  const strings = instruction.getJSONStrings();
  return strings.length > 0 ? strings.map((s) => s.getJSONValue()) : null;
}

/** A RUN's command line with continuations joined, as the shell will see it. */
export const runText = (instruction: Instruction): string => (instruction.getArgumentsContent() ?? '').replace(/\s+/g, ' ').trim();

export interface CopyInfo {
  from: string | null;
  sources: string[];
  destination: string;
}
export function copies(stage: Stage): CopyInfo[] {
  return byKeyword(stage, 'COPY').map((i) => {
    const copy = i as Copy;
    const args = jsonArgs(copy) ?? copy.getArguments().map((a) => a.getValue());
    return { from: copy.getFromFlag()?.getValue() ?? null, sources: args.slice(0, -1), destination: args.at(-1) ?? '' };
  });
}

/** The final stage's USER as numbers: a name could be anyone, and Kubernetes' runAsNonRoot needs a number to check. */
export function dockerUser(): { uid: number; gid: number | null } {
  const users = byKeyword(finalStage(), 'USER');
  const last = users.at(-1)?.getArgumentsContent()?.trim();
  if (!last) throw new Error('the final stage sets no USER');
  const m = /^(\d+)(?::(\d+))?$/.exec(last);
  if (!m) throw new Error(`USER ${last}: not numeric`);
  return { uid: Number(m[1]), gid: m[2] === undefined ? null : Number(m[2]) };
}

/** The final stage's last WORKDIR: the working directory of the container. */
export function dockerWorkdir(): string {
  const last = byKeyword(finalStage(), 'WORKDIR').at(-1)?.getArgumentsContent()?.trim();
  if (!last) throw new Error('the final stage sets no WORKDIR');
  return last;
}
