/** The "new election" form's conversions, kept pure (unit-tested beside this file). */

/** One candidate per line; blank lines and surrounding spaces do not count. */
export function parseCandidates(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A time as an <input type="datetime-local"> shows it: local time, to the minute ("2026-11-22T09:30"). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of a datetime-local input as epoch milliseconds (local time), or null when it is empty or invalid. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}
