import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import type { CommandDef } from './command.js';
import { bench } from './commands/bench.js';
import { demo } from './commands/demo.js';
import { evaluateCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { generate } from './commands/generate.js';
import { info } from './commands/info.js';
import { llava } from './commands/llava.js';
import { merge } from './commands/merge.js';
import { report } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { train } from './commands/train.js';
import { applyConfigFile, toOption } from './config.js';
import { EXIT, describeFailure, oneLine } from './errors.js';
import { createIo } from './output.js';

export const COMMANDS: readonly CommandDef[] = [
  generate,
  train,
  evaluateCommand,
  runCommand,
  report,
  exportCommand,
  llava,
  merge,
  info,
  bench,
  demo,
];

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 runtime failure, 2 usage error (unknown command or flag, bad value,
invalid config file), 3 input not found or unreadable, 4 output not writable.
Errors are one line on stderr: actllm: <code>: <message>.`;

/** The commander program: one subcommand per `CommandDef`, errors thrown, not printed. */
export function buildProgram(): Command {
  const program = new Command('actllm')
    .description('ACTLLM: generate tabletop data, train and evaluate the policy, merge shards.')
    .version(version, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    // Commander's own error text is replaced by the one-line form (runCli); help still prints.
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      'after',
      `
Examples:
  $ actllm generate --out data/train --tasks all --episodes 100 --seed 1
  $ actllm train --data data/train --scenes 2000 --preset default --minutes 60 --out ckpt/run1
  $ actllm eval --checkpoint ckpt/run1 --levels L1,L2,L3,L4 --episodes 20 --out eval/run1
  $ actllm merge eval/shard-* --out eval/all
  $ actllm info --json
${EXIT_CODES_HELP}`,
    );
  for (const def of COMMANDS) {
    const command = program
      .command(def.args ? `${def.name} ${def.args}` : def.name)
      .description(def.summary);
    for (const spec of def.specs) command.addOption(toOption(spec));
    command.addHelpText('after', `${def.examples}\n${EXIT_CODES_HELP}`);
    command.hook('preAction', (c) => applyConfigFile(c, def.specs));
    command.action(async (...params: unknown[]) => {
      const c = params[params.length - 1] as Command;
      const options = c.opts();
      const args = (def.args ? (params[0] as string[]) : []) ?? [];
      const given = (key: string) => ['cli', 'config'].includes(c.getOptionValueSource(key) ?? '');
      await def.run(options, createIo(options['json'] === true), args, given);
    });
  }
  return program;
}

/** Commander's message without its `error: ` prefix, with a pointer to the help. */
function usageMessage(error: CommanderError, argv: readonly string[]): string {
  const name = COMMANDS.find((c) => argv.includes(c.name))?.name;
  const text = error.message.replace(/^error:\s*/, '');
  return `${text} (see actllm ${name ? `${name} ` : ''}--help)`;
}

/**
 * Runs `actllm` with these arguments and returns its exit code. Every failure is printed as
 * one line `actllm: <code>: <message>` on stderr (`ACTLLM_DEBUG=1` adds the stack).
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
        return EXIT.ok;
      // `actllm` alone prints the help (on stderr) and is a usage error.
      if (error.code === 'commander.help') return EXIT.usage;
      process.stderr.write(`${oneLine('CLI_USAGE', usageMessage(error, argv))}\n`);
      return EXIT.usage;
    }
    const failure = describeFailure(error);
    process.stderr.write(`${oneLine(failure.code, failure.message)}\n`);
    if (process.env['ACTLLM_DEBUG'] && error instanceof Error && error.stack)
      process.stderr.write(`${error.stack}\n`);
    return failure.exit;
  }
}
