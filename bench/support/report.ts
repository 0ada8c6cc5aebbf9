/**
 * What every benchmark script prints: the machine it ran on and a summary table, plus the small statistics
 * the scripts share. Plain output for a person (and for docs/BENCHMARKS.md), nothing machine-readable.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineFacts {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: string;
  readonly os: string;
  readonly node: string;
  /** The file system of a folder the benchmark writes SQLite files to (fsync cost depends on it). */
  readonly fileSystem: string | null;
  /** 1-minute load average when the benchmark started. */
  readonly loadAtStart: number;
}

/** `df -T` of a folder, on Linux; null elsewhere or when df is unavailable. */
function fileSystemOf(folder: string): string | null {
  if (platform() !== 'linux') return null;
  try {
    const lines = execFileSync('df', ['-T', folder], { encoding: 'utf8' }).trim().split('\n');
    const [device, type] = (lines.at(-1) ?? '').split(/\s+/);
    return device && type ? `${type} (${device})` : null;
  } catch {
    return null;
  }
}

export function machineFacts(dataFolder?: string): MachineFacts {
  const all = cpus();
  return {
    cpuModel: all[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free)`,
    os: `${platform()} ${release()}`,
    node: process.version,
    fileSystem: dataFolder ? fileSystemOf(dataFolder) : null,
    loadAtStart: loadavg()[0] ?? 0,
  };
}

export type Row = readonly (string | number)[];

function cell(value: string | number): string {
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** 12,345 for integers and large values; 3 significant decimals below 100. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** A Markdown table: pasteable into docs/BENCHMARKS.md and readable in a terminal. */
export function formatTable(header: Row, rows: readonly Row[]): string {
  const text = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, column) => Math.max(3, ...text.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => `| ${row.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [head, ...body] = text;
  return [line(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function printMachine(facts: MachineFacts): void {
  const rows: Row[] = [
    ['CPU', facts.cpuModel],
    ['Cores (available parallelism)', String(facts.cores)],
    ['Memory', facts.memoryGiB],
    ['OS', facts.os],
    ['Node.js', facts.node],
  ];
  if (facts.fileSystem) rows.push(['File system of the SQLite files', facts.fileSystem]);
  const loadNow = loadavg()[0] ?? 0;
  rows.push(['Load average (1 min) at start / at end', `${facts.loadAtStart.toFixed(2)} / ${loadNow.toFixed(2)}`]);
  console.log(formatTable(['Machine', ''], rows));
}

/** Prints a titled summary: the machine, then the table, then notes (one per line). */
export function printSummary(title: string, facts: MachineFacts, header: Row, rows: readonly Row[], notes: readonly string[] = []): void {
  console.log(`\n## ${title}\n`);
  printMachine(facts);
  console.log('');
  console.log(formatTable(header, rows));
  if (notes.length > 0) console.log(`\n${notes.map((note) => `- ${note}`).join('\n')}`);
  console.log('');
}

/** The p-quantile (0 ≤ p ≤ 1) of ascending values, nearest rank; NaN when empty. */
export function quantile(ascending: readonly number[], p: number): number {
  if (ascending.length === 0) return Number.NaN;
  const rank = Math.min(ascending.length - 1, Math.max(0, Math.ceil(p * ascending.length) - 1));
  return ascending[rank] ?? Number.NaN;
}

export function ascending(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The text after `--name` (or in `--name=value`), or null when the flag is absent. */
function argumentText(name: string): string | null {
  const argv = process.argv;
  const index = argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index < 0) return null;
  const arg = argv[index] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[index + 1] ?? '');
}

/** Reads `--name value` from argv as a number ≥ `min` (default: > 0), else the fallback. */
export function numberArgument(name: string, fallback: number, options: { readonly min?: number } = {}): number {
  const text = argumentText(name);
  if (text === null) return fallback;
  const value = Number(text);
  const ok = Number.isFinite(value) && (options.min === undefined ? value > 0 : value >= options.min);
  if (!ok) throw new RangeError(`--${name} must be a number ${options.min === undefined ? '> 0' : `≥ ${options.min}`}, got "${text}".`);
  return value;
}

/** Reads `--name value` from argv as one of `choices`, else the fallback. */
export function choiceArgument<C extends string>(name: string, choices: readonly C[], fallback: C): C {
  const text = argumentText(name);
  if (text === null) return fallback;
  const found = choices.find((choice) => choice === text);
  if (found === undefined) throw new RangeError(`--${name} must be one of ${choices.join(', ')}, got "${text}".`);
  return found;
}
