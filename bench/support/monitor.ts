/**
 * Where the time went during a measurement: how busy the main thread's event loop was, how many cores the
 * whole process (main thread and worker threads) used, how late timers ran, and the peak resident memory.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface ResourceUse {
  /** Share of wall time the main thread's event loop was busy (0–1). */
  readonly mainThreadBusy: number;
  /** CPU time of the process (all threads) per wall second: 2 means both cores of this machine. */
  readonly cpuCores: number;
  /** 99th percentile of event-loop delay (how late a timer fires), ms. */
  readonly loopDelayP99Ms: number;
  readonly maxRssMiB: number;
}

/** Starts measuring; the returned function stops and reports. */
export function startMonitor(): () => ResourceUse {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const startedMs = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let maxRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
  }, 500);
  return () => {
    delay.disable();
    clearInterval(sampler);
    const wallMs = performance.now() - startedMs;
    const used = process.cpuUsage(cpu);
    return {
      mainThreadBusy: performance.eventLoopUtilization(elu).utilization,
      cpuCores: (used.user + used.system) / 1000 / wallMs,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      maxRssMiB: Math.max(maxRss, process.memoryUsage.rss()) / 2 ** 20,
    };
  };
}
