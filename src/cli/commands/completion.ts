import { Argument, Command, type Option } from 'commander';
import type { Runner } from '../app.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export function completionCommand(run: Runner): Command {
  const command: Command = new Command('completion')
    .description('print a completion script for bash, zsh or fish (see the README to install it)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    // The first action argument is the shell, which run() hands on in place of the options.
    .action(
      run<Shell>((app, shell) => {
        // Built from the program as it is now, so a new command or option completes with no list to keep.
        app.io.stdout.write(SCRIPTS[shell](describe(command.parent!)));
        return { kind: 'done' };
      }),
    );
  return command;
}

interface Opt {
  names: string[];
  description: string;
  /** Takes a value: the next word is that value, not a command. */
  value: boolean;
  choices: string[];
}
interface Cmd {
  names: string[];
  description: string;
  options: Opt[];
  /** Words its positional argument can be. */
  args: string[];
}
interface Program {
  name: string;
  global: Opt[];
  commands: Cmd[];
}

/** commander's own view of the program, as its help shows it (hidden ones left out, the help command in). */
function describe(program: Command): Program {
  const help = program.createHelp();
  // A menu entry is one line; descriptions may wrap.
  const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
  const option = (o: Option): Opt => ({
    names: [o.short, o.long].filter((n): n is string => n !== undefined),
    description: oneLine(o.description),
    value: o.required || o.optional,
    choices: o.argChoices ?? [],
  });
  const visible = help.visibleCommands(program);
  const names = visible.flatMap((c) => [c.name(), ...c.aliases()]);
  return {
    name: program.name(),
    global: help.visibleOptions(program).map(option),
    commands: visible.map((c) => ({
      names: [c.name(), ...c.aliases()],
      description: oneLine(c.summary() || c.description()),
      options: help.visibleOptions(c).map(option),
      // commander's own help command (not in program.commands) takes a command's name, with no choices to say so.
      args: c.registeredArguments[0]?.argChoices ?? (program.commands.includes(c) ? [] : names),
    })),
  };
}

const SCRIPTS: Record<Shell, (p: Program) => string> = { bash, zsh, fish };

/** Single-quoted for sh, bash, zsh. */
const sq = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const longName = (o: Opt) => o.names.at(-1)!;

function bash(p: Program): string {
  const fn = `_${p.name.replace(/\W/g, '_')}`;
  // One case branch per place: before the command, then after each command.
  const branch = (pattern: string, options: Opt[], words: string[]) => {
    const valued = options.filter((o) => o.value);
    const files = valued.filter((o) => !o.choices.length).flatMap((o) => o.names);
    const valueCases = [
      ...valued.filter((o) => o.choices.length).map((o) => `        ${o.names.join('|')}) COMPREPLY=($(compgen -W ${sq(o.choices.join(' '))} -- "$cur")); return ;;`),
      ...(files.length ? [`        ${files.join('|')}) return ;;`] : []),
    ];
    return [
      `    ${pattern})`,
      // The word after an option that takes a value is that value: its choices, else a file (-o default).
      ...(valueCases.length ? ['      case $prev in', ...valueCases, '      esac'] : []),
      `      words=${sq([...words, ...options.flatMap((o) => o.names)].join(' '))} ;;`,
    ].join('\n');
  };
  const globalValued = p.global.filter((o) => o.value).flatMap((o) => o.names);
  return `# ${p.name} completion for bash, made by \`${p.name} completion bash\` from ${p.name}'s own commands and options.
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd= words i
  # The command is the first word that is neither an option nor the value of one.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      ${globalValued.length ? `${globalValued.join('|')}) ((i++)) ;;` : ''}
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  case $cmd in
${[
  branch("''", p.global, p.commands.flatMap((c) => c.names)),
  ...p.commands.map((c) => branch(c.names.join('|'), [...c.options, ...p.global.filter((g) => !c.options.some((o) => longName(o) === longName(g)))], c.args)),
  "    *) words= ;;",
].join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F ${fn} ${p.name}
`;
}

function zsh(p: Program): string {
  const fn = `_${p.name.replace(/\W/g, '_')}`;
  // In _arguments, a description sits in [...] and an action after ':'.
  const esc = (text: string) => text.replace(/[\\[\]:]/g, '\\$&');
  const specs = (options: Opt[]) =>
    options.flatMap((o) => {
      const action = o.value ? `:${esc(longName(o).replace(/^--/, ''))}:${o.choices.length ? `(${o.choices.join(' ')})` : '_files'}` : '';
      return o.names.map((n) => sq(`${n}[${esc(o.description)}]${action}`));
    });
  const list = (items: string[], indent: string) => items.map((i) => `${indent}${i}`).join('\n');
  return `#compdef ${p.name}
# ${p.name} completion for zsh, made by \`${p.name} completion zsh\` from ${p.name}'s own commands and options.
${fn}() {
  local curcontext=$curcontext state line ret=1
  local -a global=(
${list(specs(p.global), '    ')}
  )
  _arguments -C $global ': :->command' '*:: :->args' && ret=0
  case $state in
    command)
      local -a commands=(
${list(p.commands.flatMap((c) => c.names.map((n) => sq(`${n}:${c.description}`))), '        ')}
      )
      _describe -t commands command commands && ret=0 ;;
    args)
      case $line[1] in
${p.commands
  .map((c) => {
    const own = c.options.filter((o) => !p.global.some((g) => longName(g) === longName(o)));
    const args = c.args.length ? [sq(`1:${c.names[0]}:(${c.args.join(' ')})`)] : [];
    return `        ${c.names.join('|')}) _arguments $global ${[...specs(own), ...args].join(' ')} && ret=0 ;;`;
  })
  .join('\n')}
      esac ;;
  esac
  return ret
}
# Loaded from $fpath it runs as the completion function; sourced, it registers itself.
if [[ $funcstack[1] == ${fn} ]]; then ${fn} "$@"; else compdef ${fn} ${p.name}; fi
`;
}

function fish(p: Program): string {
  // fish single quotes: only \\ and \' are escapes.
  const q = (text: string) => `'${text.replace(/[\\']/g, '\\$&')}'`;
  const flags = (o: Opt) =>
    [
      ...o.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)),
      ...(o.value ? (o.choices.length ? ['-x', '-a', q(o.choices.join(' '))] : ['-r', '-F']) : []),
      '-d',
      q(o.description),
    ].join(' ');
  const c = `complete -c ${p.name}`;
  return [
    `# ${p.name} completion for fish, made by \`${p.name} completion fish\` from ${p.name}'s own commands and options.`,
    `${c} -f`,
    ...p.global.map((o) => `${c} ${flags(o)}`),
    ...p.commands.flatMap((cmd) => {
      const seen = `-n ${q(`__fish_seen_subcommand_from ${cmd.names.join(' ')}`)}`;
      const own = cmd.options.filter((o) => !p.global.some((g) => longName(g) === longName(o)));
      return [
        ...cmd.names.map((n) => `${c} -n __fish_use_subcommand -a ${n} -d ${q(cmd.description)}`),
        ...own.map((o) => `${c} ${seen} ${flags(o)}`),
        ...(cmd.args.length ? [`${c} ${seen} -a ${q(cmd.args.join(' '))}`] : []),
      ];
    }),
    '',
  ].join('\n');
}
