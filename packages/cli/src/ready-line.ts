// The one line a foreground JobManager or TaskManager prints on stdout once it serves requests.
// `eddy cluster start` and the integration tests wait for it and read the addresses from it, so its
// form is a contract: `eddy jobmanager ready rest=HOST:PORT rpc=HOST:PORT` and
// `eddy taskmanager ready id=ID rpc=HOST:PORT`.

/** A parsed ready line. */
export type ReadyLine =
  | { readonly role: 'jobmanager'; readonly restAddress: string; readonly rpcAddress: string }
  | { readonly role: 'taskmanager'; readonly id: string; readonly rpcAddress: string };

/** `host:port` without a scheme, however the process reported it. */
export function stripScheme(address: string): string {
  return address.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

/** The JobManager's ready line. */
export function jobManagerReadyLine(restAddress: string, rpcAddress: string): string {
  return `eddy jobmanager ready rest=${stripScheme(restAddress)} rpc=${stripScheme(rpcAddress)}`;
}

/** The TaskManager's ready line. */
export function taskManagerReadyLine(id: string, rpcAddress: string): string {
  return `eddy taskmanager ready id=${id} rpc=${stripScheme(rpcAddress)}`;
}

/** Parses a ready line; `undefined` for any other line. */
export function parseReadyLine(line: string): ReadyLine | undefined {
  const jm = /^eddy jobmanager ready rest=(\S+) rpc=(\S+)\s*$/.exec(line);
  if (jm?.[1] !== undefined && jm[2] !== undefined) {
    return { role: 'jobmanager', restAddress: jm[1], rpcAddress: jm[2] };
  }
  const tm = /^eddy taskmanager ready id=(\S+) rpc=(\S+)\s*$/.exec(line);
  if (tm?.[1] !== undefined && tm[2] !== undefined) {
    return { role: 'taskmanager', id: tm[1], rpcAddress: tm[2] };
  }
  return undefined;
}
