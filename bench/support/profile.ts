/**
 * A CPU profile of the main thread over exactly the measured window (not the signing before it), written
 * as a .cpuprofile that Chrome DevTools or VS Code opens. Off unless `--cpu-profile <file>` is given.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** The file named by `--cpu-profile <file>` (or `--cpu-profile=<file>`), or null. */
export function cpuProfileArgument(): string | null {
  const argv = process.argv;
  const index = argv.findIndex((arg) => arg === '--cpu-profile' || arg.startsWith('--cpu-profile='));
  if (index < 0) return null;
  const arg = argv[index] ?? '';
  const file = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
  if (!file) throw new RangeError('--cpu-profile needs a file name, e.g. --cpu-profile finality.cpuprofile');
  return file;
}

/** Starts profiling when `file` is not null; the returned function stops and writes the profile. */
export async function startCpuProfile(file: string | null): Promise<() => Promise<void>> {
  if (file === null) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 1 ms sampling (the default is 1 ms too; said here so that the figures are comparable between runs).
  await session.post('Profiler.setSamplingInterval', { interval: 1_000 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    console.log(`CPU profile of the measured window (main thread): ${file}`);
  };
}
