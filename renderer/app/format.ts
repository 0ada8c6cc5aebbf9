/** How numbers, keys and rates are written in every window. */

const countFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const rateFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return countFormat.format(value);
}

/** `3f2a91bc…0d4e77` — enough to recognise a key, short enough to read aloud. */
export function shortHex(hex: string, head = 8, tail = 6): string {
  if (hex.length <= head + tail + 1) return hex;
  return `${hex.slice(0, head)}…${hex.slice(-tail)}`;
}

/** A key fingerprint as people compare them: the first 16 hex digits in groups of four. */
export function fingerprint(hex: string): string {
  return (hex.slice(0, 16).match(/.{1,4}/g) ?? []).join(' ');
}

const RATE_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s'] as const;

export function formatHashRate(hashesPerSecond: number): string {
  let value = hashesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < RATE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${rateFormat.format(value)} ${RATE_UNITS[unit] ?? 'H/s'}`;
}

const secondsFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/** A block's or a decision's time, to the second: `22 Nov 2026, 05:02:17`. */
export function formatTimeSeconds(ms: number): string {
  return secondsFormat.format(new Date(ms));
}

const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(ms: number): string {
  return timeFormat.format(new Date(ms));
}

const percentFormat = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });

/** "40%", "33.3%"; a share of nothing is 0%, never NaN. */
export function formatPercent(part: number, whole: number): string {
  return percentFormat.format(whole > 0 ? part / whole : 0);
}

/** HK$1,234.50 — voucher amounts are whole cents on the ledger; grouped as the node words them. */
export function formatMoney(cents: number): string {
  const sign = cents < 0 ? '−' : '';
  const abs = Math.abs(Math.trunc(cents));
  const dollars = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}HK$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * "120.50", "HK$120.5", "1,000" → cents; null when it is not an amount of money (more than two decimals,
 * letters, nothing). The window says what is wrong; the node checks the amount again.
 */
export function parseMoney(text: string): number | null {
  const match = /^\s*(?:HK\$)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/i.exec(text);
  if (!match) return null;
  const cents = Number((match[1] ?? '').replace(/,/g, '')) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : null;
}
