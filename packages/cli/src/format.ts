// Human-readable output of the CLI: tables, durations and timestamps. Pure functions; the commands
// decide what goes to stdout (data) and what to stderr (messages).

/** Renders rows under headers as left-aligned columns separated by two spaces, one line per row. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h) => displayWidth(h));
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - displayWidth(c))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

// Code points, not UTF-16 units, so a name with an emoji does not shift its row.
function displayWidth(s: string): number {
  return [...s].length;
}

/** Replaces control characters (a job name could contain any) so a cell stays on one line. */
export function sanitizeCell(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** A duration as `850ms`, `12.3s`, `4m 05s` or `2h 03m`. */
export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${pad(totalSeconds % 60)}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 24 * 60) return `${Math.floor(totalMinutes / 60)}h ${pad(totalMinutes % 60)}m`;
  return `${Math.floor(totalMinutes / (24 * 60))}d ${pad(Math.floor(totalMinutes / 60) % 24)}h`;
}

/** A point in time (epoch ms or an ISO string) as local `YYYY-MM-DD HH:MM:SS`; `-` when absent. */
export function formatTimestamp(t: number | string | undefined | null): string {
  if (t === undefined || t === null || t === '' || t === 0 || t === -1) return '-';
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** A byte count as `512 B`, `1.5 KiB`, `12.0 MiB` or `3.20 GiB`; `-` when absent. */
export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n) || n < 0) return '-';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
