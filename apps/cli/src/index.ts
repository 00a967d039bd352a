/**
 * @actllm/cli: the `actllm` command. The bin is `dist/cli.js`; this entry lets a program run
 * the same commands in-process (`runCli(['eval', '--agent', 'oracle', ...])`).
 */
export { COMMANDS, buildProgram, runCli } from './main.js';
export { CliError, EXIT, describeFailure, oneLine } from './errors.js';
export type { CliErrorCode, ExitCode } from './errors.js';
export type { CommandDef } from './command.js';
export { EVAL_INFO_FILE, buildEvalInfo, episodeList } from './eval-info.js';
export type { EvalHeader, EvalInfo, EpisodeEntry, Summary } from './eval-info.js';
export { TRAIN_LOG_FILE, TRAIN_SETTINGS_FILE } from './train-settings.js';
export type { TrainSettings } from './train-settings.js';
