import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

/** Whether a program is on the PATH, to skip the parse checks of shells this machine lacks. */
const has = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

/** Each command of `dnssync --help` with the long options its own `--help` lists (global ones included). */
let inventory: Map<string, string[]>;
const scripts: Record<string, string> = {};
const dir = tempDir('dnssync-completion-');
const bashScript = join(dir, 'dnssync.bash');

before(async () => {
  const top = await runCli(['--help']);
  assert.equal(top.code, 0, top.stderr);
  const commands = [...top.stdout.split(/^Commands:$/m)[1]!.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!);
  assert.ok(commands.includes('sync') && commands.includes('completion'), top.stdout);
  inventory = new Map(
    await Promise.all(
      commands.map(async (command) => {
        const help = await runCli([command, '--help']);
        assert.equal(help.code, 0, help.stderr);
        return [command, [...new Set([...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!))]] as [string, string[]];
      }),
    ),
  );
  assert.ok(inventory.get('sync')!.includes('--dry-run') && inventory.get('sync')!.includes('--db'), 'options read from --help');
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runCli(['completion', shell]);
    assert.equal(result.code, 0, result.stderr);
    scripts[shell] = result.stdout;
  }
  writeFileSync(bashScript, scripts.bash!);
});

/** Sources the bash script in a real bash and asks its completion function about a command line. */
function complete(...words: string[]): string[] {
  const result = spawnSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      'source "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _dnssync && printf "%s\\n" "${COMPREPLY[@]}"',
      'bash',
      bashScript,
      ...words,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter(Boolean);
}

describe('dnssync completion', () => {
  it('bash: a command from its first letters, then the options of that command', () => {
    assert.deepEqual(complete('dnssync', 'sy'), ['sync']);
    const options = complete('dnssync', 'sync', '--d');
    assert.ok(options.includes('--dry-run'), options.join(' '));
    assert.ok(options.includes('--db'), 'global options after the command too');
    assert.ok(options.every((o) => o.startsWith('--d')), options.join(' '));
    // The value of a global option before the command is not taken for the command.
    assert.deepEqual(complete('dnssync', '--config', 'x.yaml', 'sy'), ['sync']);
    assert.deepEqual(complete('dnssync', 'completion', 'f'), ['fish'], 'the shells, from the argument choices');
  });

  it('bash: after an option that takes a value, nothing is offered (so bash completes a file name)', () => {
    assert.deepEqual(complete('dnssync', 'history', '--status', ''), []);
    assert.deepEqual(complete('dnssync', '--db', ''), []);
    // migrate --status takes no value, unlike history's: the next word is an option again.
    assert.deepEqual(complete('dnssync', 'migrate', '--status', '--js'), ['--json']);
    const registered = spawnSync('bash', ['--norc', '-c', 'source "$1" && complete -p dnssync', 'bash', bashScript], { encoding: 'utf8' });
    assert.match(registered.stdout, /^complete -o default -F _dnssync dnssync$/m);
  });

  it('bash: every command of --help, and every option of each command, is offered', () => {
    assert.deepEqual(complete('dnssync', '').filter((w) => !w.startsWith('-')).sort(), [...inventory.keys()].sort());
    for (const [command, options] of inventory) {
      const offered = complete('dnssync', command, '--');
      for (const option of options) assert.ok(offered.includes(option), `dnssync ${command} ${option}`);
    }
  });

  it('zsh and fish: the scripts name every command and every option of each', () => {
    for (const shell of ['zsh', 'fish']) {
      const script = scripts[shell]!;
      for (const [command, options] of inventory) {
        assert.match(script, new RegExp(`\\b${command}\\b`), `${shell}: ${command}`);
        // fish writes --dry-run as `-l dry-run`.
        for (const option of options) assert.ok(script.includes(shell === 'fish' ? `-l ${option.slice(2)} ` : `'${option}[`), `${shell}: ${option}`);
      }
    }
    assert.match(scripts.zsh!, /^#compdef dnssync$/m);
  });

  for (const shell of ['zsh', 'fish']) {
    it(`${shell} parses its script (${shell} -n)`, { skip: !has(shell) && `${shell} is not installed` }, () => {
      const file = join(dir, `dnssync.${shell}`);
      writeFileSync(file, scripts[shell]!);
      const result = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
    });
  }

  it('an unknown shell is a usage error (exit 2) naming the choices', async () => {
    const result = await runCli(['completion', 'tcsh']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /bash, zsh, fish/);
  });
});
