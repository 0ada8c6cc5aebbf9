/**
 * Where the time went during a measurement: how busy the main thread's event loop was, how many cores the
 * whole process (main thread and worker threads) used, how late timers ran, the peak resident memory, and
 * how much CPU the whole machine used (to see whether something else was competing for the cores).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface ResourceUse {
  /** Share of wall time the main thread's event loop was busy (0–1). */
  readonly mainThreadBusy: number;
  /** CPU time of the process (all threads) per wall second: 2 means both cores of this machine. */
  readonly cpuCores: number;
  /** 99th percentile of event-loop delay (how late a timer fires), ms. */
  readonly loopDelayP99Ms: number;
  readonly maxRssMiB: number;
  /** CPU used by the whole machine (every process) per wall second; null where /proc/stat is unavailable. */
  readonly machineCores: number | null;
}

/** Busy and total jiffies of all CPUs (Linux /proc/stat), or null. */
function machineJiffies(): { busy: number; total: number } | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return null;
  }
}

/** Starts measuring; the returned function stops and reports. */
export function startMonitor(): () => ResourceUse {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const startedMs = performance.now();
  const jiffies = machineJiffies();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let maxRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
  }, 500);
  // Never what keeps the process alive (a failed run must still exit).
  sampler.unref();
  return () => {
    delay.disable();
    clearInterval(sampler);
    const wallMs = performance.now() - startedMs;
    const used = process.cpuUsage(cpu);
    const jiffiesNow = machineJiffies();
    const machineCores =
      jiffies && jiffiesNow && jiffiesNow.total > jiffies.total
        ? ((jiffiesNow.busy - jiffies.busy) / (jiffiesNow.total - jiffies.total)) * availableParallelism()
        : null;
    return {
      mainThreadBusy: performance.eventLoopUtilization(elu).utilization,
      cpuCores: (used.user + used.system) / 1000 / wallMs,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      maxRssMiB: Math.max(maxRss, process.memoryUsage.rss()) / 2 ** 20,
      machineCores,
    };
  };
}

/**
 * CPU that processes other than the benchmark's used during the measurement (cores), and a warning line
 * when it is enough to skew the figures; `ownCores` is what the benchmark's own processes used.
 */
export function otherLoad(resources: ResourceUse, ownCores: number): { readonly cores: number | null; readonly warning: string | null } {
  if (resources.machineCores === null) return { cores: null, warning: null };
  const cores = Math.max(0, resources.machineCores - ownCores);
  const warning =
    cores > OTHER_LOAD_WARNING_CORES
      ? `WARNING: other processes used ${cores.toFixed(2)} cores during the measurement: these figures understate the machine. Run again when it is idle.`
      : null;
  return { cores, warning };
}

/** Other processes using more than this (cores) during a measurement make its figures unrepresentative. */
const OTHER_LOAD_WARNING_CORES = 0.15;
