// Shutdown signals of the CLI's foreground processes. The first SIGTERM or SIGINT asks for a graceful
// stop; a second one while that is under way exits at once, so a stuck close can always be escaped.

/** Resolves with the first SIGTERM/SIGINT; `dispose` removes the handlers. */
export function onShutdownSignal(): { readonly signal: Promise<NodeJS.Signals>; dispose(): void } {
  let seen = false;
  let resolveSignal: (s: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((r) => {
    resolveSignal = r;
  });
  const handler = (s: NodeJS.Signals): void => {
    if (seen) {
      process.stderr.write(`eddy: ${s} again, exiting without a graceful stop\n`);
      process.exit(1);
    }
    seen = true;
    resolveSignal(s);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal,
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
