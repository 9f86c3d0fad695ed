// Types for the part of yargs 18 the CLI uses. yargs 18 ships no declarations and @types/yargs
// describes v17, so this file declares the surface we call, checked against yargs' behaviour in tests.
declare module 'yargs' {
  type OptionType = 'string' | 'number' | 'boolean' | 'array' | 'count';

  /** Options of `.option(key, ...)`. */
  export interface Options {
    readonly alias?: string | readonly string[];
    readonly type?: OptionType;
    readonly array?: boolean;
    readonly describe?: string;
    readonly default?: unknown;
    readonly defaultDescription?: string;
    readonly demandOption?: boolean | string;
    readonly requiresArg?: boolean;
    readonly global?: boolean;
    readonly hidden?: boolean;
    readonly choices?: readonly (string | number)[];
    readonly conflicts?: string | readonly string[];
    readonly implies?: string | readonly string[];
  }

  /** Options of `.positional(key, ...)`. */
  export interface PositionalOptions {
    readonly type?: OptionType;
    readonly describe?: string;
    readonly default?: unknown;
    readonly demandOption?: boolean | string;
  }

  /** Parsed arguments. */
  export interface Arguments {
    readonly [key: string]: unknown;
    readonly _: readonly (string | number)[];
    readonly $0: string;
  }

  /** A yargs instance; every method returns it for chaining. */
  export interface Argv {
    scriptName(name: string): Argv;
    usage(message: string): Argv;
    command(
      command: string | readonly string[],
      description: string,
      builder?: (yargs: Argv) => Argv,
      handler?: (args: Arguments) => void | Promise<void>,
    ): Argv;
    option(key: string, options: Options): Argv;
    positional(key: string, options: PositionalOptions): Argv;
    example(command: string, description: string): Argv;
    epilogue(text: string): Argv;
    strict(enabled?: boolean): Argv;
    demandCommand(min?: number, message?: string): Argv;
    recommendCommands(): Argv;
    exitProcess(enabled: boolean): Argv;
    fail(
      handler: ((message: string | undefined, error: Error | undefined, yargs: Argv) => void) | boolean,
    ): Argv;
    help(enabled?: boolean): Argv;
    alias(key: string, alias: string): Argv;
    version(version: false | string): Argv;
    wrap(columns: number | null): Argv;
    terminalWidth(): number;
    parserConfiguration(configuration: Readonly<Record<string, boolean>>): Argv;
    parseAsync(
      args: readonly string[],
      context?: object,
      callback?: (error: Error | undefined, argv: Arguments, output: string) => void,
    ): Promise<Arguments>;
  }

  /** A fresh parser. */
  export default function yargs(args?: readonly string[]): Argv;
}
