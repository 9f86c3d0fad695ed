// The `eddy` command: yargs wiring only. Each command's work is in commands/*.ts. Run by bin/eddy
// (`node packages/cli/src/main.ts ...`); tests call `main(argv, io)` in-process.
//
// The JobManager and TaskManager packages are imported only by the commands that run them, so that
// `eddy list` starts fast and does not load the whole runtime.
//
// Exit codes: 0 success, 2 a usage error (bad flag or argument, missing job file or job id), 1 any
// other failure, including a job that did not FINISH. Errors are printed as `eddy: <message>` on
// stderr; user errors never print a stack trace, internal errors (bugs) do.
import { availableParallelism } from 'node:os';
import yargs, { type Argv, type Arguments } from 'yargs';
import { EddyError } from '@eddy/common';
import {
  dynamicProperties,
  parseIntegerFlag,
  parseJobIdArgument,
  resolveRestAddress,
  splitJobArguments,
} from './arguments.ts';
import { processIo, type CliIo } from './cli-io.ts';
import { localClusterRestAddress } from './cluster-files.ts';
import { clusterStartCommand, clusterStopCommand } from './commands/cluster.ts';
import { cancelCommand, infoCommand, listCommand } from './commands/jobs.ts';
import { runCommand } from './commands/run.ts';
import { checkpointsCommand, savepointCommand, stopCommand } from './commands/savepoints.ts';
import { RestClient, restOptionsFromEnv } from './rest-client.ts';
import { ExitCode, UsageError, usageError } from './usage-error.ts';

const restOption = {
  alias: 'm',
  type: 'string',
  describe:
    "JobManager REST address host:port (default: $EDDY_JOBMANAGER, else the cluster of 'eddy cluster start', else 127.0.0.1:8081)",
  requiresArg: true,
} as const;
const jsonOption = { type: 'boolean', describe: 'Print JSON instead of a table', default: false } as const;
const dynamicOption = {
  type: 'string',
  array: true,
  describe: 'Set a configuration key (repeatable): -D key=value',
  requiresArg: true,
} as const;
const configOption = {
  type: 'string',
  describe: 'Configuration file (default: ./eddy.yaml when present)',
  requiresArg: true,
} as const;

/** Runs the CLI on `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const { cli, job } = splitJobArguments(argv);
  let exitCode = 0;
  const handle =
    (fn: (args: Arguments) => Promise<number>) =>
    async (args: Arguments): Promise<void> => {
      exitCode = await fn(args);
    };
  const restAddress = (args: Arguments): string =>
    resolveRestAddress(args['jobmanager'], io.env, () => localClusterRestAddress(io.env));
  const rest = (args: Arguments): RestClient => new RestClient(restAddress(args), restOptionsFromEnv(io.env));
  const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

  const parser: Argv = yargs(cli)
    .scriptName('eddy')
    .usage('eddy <command> [options]\n\nRuns and manages jobs on an Eddy cluster.')
    .exitProcess(false)
    .parserConfiguration({ 'greedy-arrays': false, 'parse-positional-numbers': false })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .version(false)
    .help()
    .alias('help', 'h')
    .wrap(null)
    .fail((message, error) => {
      throw error ?? new UsageError('CLI_USAGE', usageMessage(cli[0], message));
    })
    .command(
      'run <job>',
      'Run a job: bundle job.ts, submit it, and wait for it to end',
      (y) =>
        y
          .usage(
            'eddy run [options] <job> [-- job arguments...]\n\nRun a job: bundle it, submit it, and wait for it to end.',
          )
          .positional('job', { type: 'string', describe: 'The job module (a .ts or .js file)' })
          .option('parallelism', {
            alias: 'p',
            type: 'number',
            describe: 'Default parallelism (default 1)',
            requiresArg: true,
          })
          .option('detached', {
            alias: 'd',
            type: 'boolean',
            describe: 'Return once the job is submitted',
            default: false,
          })
          .option('jobmanager', restOption)
          .option('local', {
            type: 'boolean',
            describe: 'Run on a cluster started in this process',
            default: false,
          })
          .option('from-savepoint', {
            alias: 's',
            type: 'string',
            describe: 'Start from this savepoint (a directory, file:///dir or s3://bucket/prefix)',
            requiresArg: true,
          })
          .option('allow-non-restored-state', {
            alias: 'n',
            type: 'boolean',
            describe:
              'With -s: drop savepoint state of operators (uids) the job no longer has instead of refusing',
            default: false,
          })
          .example('eddy run examples/wordcount.ts -- --input README.md', 'Run a job with arguments')
          .example(
            'eddy run -p 4 -s /savepoints/sp-1 job.ts',
            'Restore a job from a savepoint at another parallelism',
          )
          .example('eddy run --local -p 2 job.ts', 'Run a job without a cluster'),
      handle((a) =>
        runCommand(
          {
            jobFile: String(a['job']),
            jobArgs: job ?? [],
            ...optionalNumber('parallelism', parseIntegerFlag(a['parallelism'], '-p/--parallelism', 1)),
            detached: a['detached'] === true,
            local: a['local'] === true,
            restAddress: restAddress(a),
            ...optionalStringField('fromSavepoint', optionalString(a['from-savepoint'])),
            allowNonRestoredState: a['allow-non-restored-state'] === true,
          },
          io,
        ),
      ),
    )
    .command(
      'list',
      'List the jobs of the cluster',
      (y) => y.option('jobmanager', restOption).option('json', jsonOption),
      handle((a) => listCommand(rest(a), a['json'] === true, io)),
    )
    .command(
      'info <jobId>',
      'Show the state of a job',
      (y) =>
        y
          .positional('jobId', { type: 'string', describe: 'The job id (32 hex characters)' })
          .option('jobmanager', restOption)
          .option('json', jsonOption),
      handle((a) => {
        const id = parseJobIdArgument(a['jobId']);
        return infoCommand(rest(a), id, a['json'] === true, io);
      }),
    )
    .command(
      'cancel <jobId>',
      'Cancel a job',
      (y) =>
        y
          .positional('jobId', { type: 'string', describe: 'The job id (32 hex characters)' })
          .option('jobmanager', restOption),
      handle((a) => {
        const id = parseJobIdArgument(a['jobId']);
        return cancelCommand(rest(a), id, io);
      }),
    )
    .command(
      'savepoint [jobId] [targetDirectory]',
      'Take a savepoint of a running job (prints its location), or dispose of one with --dispose',
      (y) =>
        y
          .usage(
            'eddy savepoint <jobId> [targetDirectory]\neddy savepoint --dispose <path> [-D key=value]\n\n' +
              "Take a savepoint of a running job and print its location once complete. Without a directory it goes under the job's checkpoint storage (savepoints/savepoint-<id>-<random>).",
          )
          .positional('jobId', { type: 'string', describe: 'The job id (32 hex characters)' })
          .positional('targetDirectory', {
            type: 'string',
            describe: 'Where the savepoint goes: a directory, file:///dir or s3://bucket/prefix',
          })
          .option('dispose', {
            type: 'string',
            describe:
              'Delete the savepoint at this path instead (refused unless it holds a savepoint); needs no JobManager',
            requiresArg: true,
          })
          .option('jobmanager', restOption)
          .option('json', jsonOption)
          .option('config', {
            ...configOption,
            describe: 'With --dispose: configuration file for s3.* settings',
          })
          .option('D', {
            ...dynamicOption,
            describe: 'With --dispose: set a configuration key (s3.endpoint=...)',
          })
          .example(
            'eddy savepoint 0123456789abcdef0123456789abcdef /backups/sp-1',
            'Take a savepoint into /backups/sp-1',
          )
          .example('eddy savepoint --dispose /backups/sp-1', 'Delete that savepoint'),
      handle(async (a) => {
        const dispose = optionalString(a['dispose']);
        if (dispose !== undefined) {
          if (a['jobId'] !== undefined) {
            throw usageError(
              'CLI_BAD_FLAG',
              '--dispose takes the savepoint path and no job id: eddy savepoint --dispose <path>',
            );
          }
          return (await import('./commands/savepoint-dispose.ts')).disposeSavepointCommand(
            {
              path: dispose,
              dynamic: dynamicProperties(a['D']),
              ...optionalStringField('configFile', optionalString(a['config'])),
              json: a['json'] === true,
            },
            io,
          );
        }
        if (a['jobId'] === undefined) {
          throw usageError('CLI_USAGE', MISSING['savepoint'] ?? 'name the job');
        }
        const id = parseJobIdArgument(a['jobId']);
        return savepointCommand(
          rest(a),
          id,
          optionalString(a['targetDirectory']),
          { json: a['json'] === true },
          io,
        );
      }),
    )
    .command(
      'stop <jobId>',
      'Stop a job with a savepoint: the savepoint completes, then the job is canceled',
      (y) =>
        y
          .positional('jobId', { type: 'string', describe: 'The job id (32 hex characters)' })
          .option('savepoint-path', {
            type: 'string',
            describe:
              "Where the savepoint goes: a directory, file:///dir or s3://bucket/prefix (default: under the job's checkpoint storage)",
            requiresArg: true,
          })
          .option('drain', {
            type: 'boolean',
            describe:
              'Drain: sources emit MAX_WATERMARK (every event-time window and timer fires) before the savepoint and stop after it; the job finishes instead of being canceled',
            default: false,
          })
          .option('jobmanager', restOption)
          .option('json', jsonOption)
          .example(
            'eddy stop 0123456789abcdef0123456789abcdef --savepoint-path /backups/sp-1',
            'Stop a job; restart it later with eddy run -s /backups/sp-1 job.ts',
          ),
      handle((a) => {
        const id = parseJobIdArgument(a['jobId']);
        return stopCommand(
          rest(a),
          id,
          {
            json: a['json'] === true,
            drain: a['drain'] === true,
            ...optionalStringField('savepointPath', optionalString(a['savepoint-path'])),
          },
          io,
        );
      }),
    )
    .command(
      'checkpoints <jobId>',
      "Show a job's checkpoint and savepoint history",
      (y) =>
        y
          .positional('jobId', { type: 'string', describe: 'The job id (32 hex characters)' })
          .option('jobmanager', restOption)
          .option('json', jsonOption),
      handle((a) => {
        const id = parseJobIdArgument(a['jobId']);
        return checkpointsCommand(rest(a), id, a['json'] === true, io);
      }),
    )
    .command('cluster', 'Start or stop a local cluster of separate processes', (y) =>
      y
        .command(
          'start',
          'Start a JobManager and TaskManagers in the background',
          (s) =>
            s
              .option('taskmanagers', {
                alias: 'n',
                type: 'number',
                describe: 'Number of TaskManagers',
                default: availableParallelism(),
                defaultDescription: 'one per core',
                requiresArg: true,
              })
              .option('slots', {
                alias: 's',
                type: 'number',
                describe: 'Slots per TaskManager',
                default: 1,
                requiresArg: true,
              })
              .option('rest-port', {
                type: 'number',
                describe: 'Port of the REST API (default 8081)',
                requiresArg: true,
              })
              .option('timeout', {
                type: 'number',
                describe: 'Seconds each start step may take',
                default: 60,
                requiresArg: true,
              })
              .option('config', configOption)
              .option('D', dynamicOption),
          handle((a) =>
            clusterStartCommand(
              {
                taskManagers: parseIntegerFlag(a['taskmanagers'], '--taskmanagers', 1) ?? 1,
                slots: parseIntegerFlag(a['slots'], '--slots', 1) ?? 1,
                ...optionalNumber('restPort', parseIntegerFlag(a['rest-port'], '--rest-port', 0)),
                timeoutMs: (parseIntegerFlag(a['timeout'], '--timeout', 1) ?? 60) * 1000,
                dynamic: dynamicProperties(a['D']),
                ...optionalStringField('configFile', optionalString(a['config'])),
              },
              io,
            ),
          ),
        )
        .command(
          'stop',
          'Stop the local cluster started by eddy cluster start',
          (s) =>
            s.option('timeout', {
              type: 'number',
              describe: 'Seconds to wait after SIGTERM before SIGKILL',
              default: 15,
              requiresArg: true,
            }),
          handle((a) =>
            clusterStopCommand(
              { timeoutMs: (parseIntegerFlag(a['timeout'], '--timeout', 0) ?? 15) * 1000 },
              io,
            ),
          ),
        )
        .demandCommand(1, "name a subcommand: 'eddy cluster start' or 'eddy cluster stop'"),
    )
    .command(
      'jobmanager',
      'Run a JobManager in the foreground',
      (y) => y.option('config', configOption).option('D', dynamicOption),
      handle(async (a) =>
        (await import('./commands/jobmanager.ts')).jobManagerCommand(
          {
            dynamic: dynamicProperties(a['D']),
            ...optionalStringField('configFile', optionalString(a['config'])),
          },
          io,
        ),
      ),
    )
    .command(
      'taskmanager',
      'Run a TaskManager in the foreground',
      (y) =>
        y
          .option('jobmanager', {
            alias: 'm',
            type: 'string',
            describe:
              'JobManager RPC address host:port (default: jobmanager.rpc.address:jobmanager.rpc.port)',
            requiresArg: true,
          })
          .option('config', configOption)
          .option('D', dynamicOption),
      handle(async (a) =>
        (await import('./commands/taskmanager.ts')).taskManagerCommand(
          {
            dynamic: dynamicProperties(a['D']),
            ...optionalStringField('configFile', optionalString(a['config'])),
            ...optionalStringField('jobManager', optionalString(a['jobmanager'])),
          },
          io,
        ),
      ),
    )
    .epilogue("Job ids are 32 hex characters. Run 'eddy <command> --help' for a command's options.");

  let output = '';
  try {
    if (job !== undefined && cli[0] !== 'run') {
      throw new UsageError('CLI_USAGE', "only 'eddy run' takes arguments after '--'");
    }
    await parser.parseAsync(cli, {}, (_error, _argv, text) => {
      output = text;
    });
  } catch (err) {
    return reportError(err, io, cli[0]);
  }
  // --help: yargs hands the text to the callback instead of printing it.
  if (output !== '') io.stdout(output + '\n');
  return exitCode;
}

function optionalNumber<K extends string>(key: K, v: number | undefined): { [P in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: number };
}

function optionalStringField<K extends string>(key: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
}

const COMMANDS = new Set([
  'run',
  'list',
  'info',
  'cancel',
  'savepoint',
  'stop',
  'checkpoints',
  'cluster',
  'jobmanager',
  'taskmanager',
]);
const MISSING: Readonly<Record<string, string>> = {
  run: 'name the job file: eddy run [options] <job> [-- job arguments...]',
  info: 'name the job: eddy info <jobId>',
  cancel: 'name the job: eddy cancel <jobId>',
  savepoint: 'name the job: eddy savepoint <jobId> [targetDirectory] (or eddy savepoint --dispose <path>)',
  stop: 'name the job: eddy stop <jobId> [--savepoint-path dir]',
  checkpoints: 'name the job: eddy checkpoints <jobId>',
};

// yargs says "Not enough non-option arguments" for a missing positional; say which one instead.
function usageMessage(command: string | undefined, message: string | undefined): string {
  if (message?.startsWith('Not enough non-option arguments') === true && command !== undefined) {
    return MISSING[command] ?? message;
  }
  if (message?.startsWith('Did you mean') === true) return `unknown command; d${message.slice(1)}`;
  return message ?? 'invalid command line';
}

/**
 * Prints an error as `eddy: <message>`; internal errors also get their stack. Returns the exit code:
 * 2 for a UsageError, 1 for anything else.
 */
export function reportError(err: unknown, io: CliIo, command?: string): number {
  if (err instanceof UsageError) {
    const help = command !== undefined && COMMANDS.has(command) ? `eddy ${command} --help` : 'eddy --help';
    io.stderr(`eddy: ${err.message}\nRun '${help}' for usage.\n`);
    return ExitCode.usage;
  }
  if (err instanceof EddyError && err.domain !== 'internal') {
    io.stderr(`eddy: ${err.message}\n`);
  } else {
    const e = EddyError.from(err);
    io.stderr(`eddy: internal error: ${e.message}\n${e.stack ?? ''}\n`);
  }
  return ExitCode.failure;
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // A library's keep-alive socket or stray timer must not keep a finished command running.
  setTimeout(() => process.exit(code), 2000).unref();
}
