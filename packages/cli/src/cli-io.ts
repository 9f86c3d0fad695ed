// What a command may touch of its process: output streams and environment. Passed to every command
// so tests can run commands in-process and read what they printed.

/** A command's outputs and environment. Data goes to stdout, messages to stderr. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
  };
}
