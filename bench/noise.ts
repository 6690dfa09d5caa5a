// How busy the machine was with other work while the bench ran: CPU time of the whole system (/proc/stat)
// minus this process's own and its reaped children's (/proc/self/stat utime+stime+cutime+cstime). Runtime
// processes are children of the bench, so sample the end after Nimbus has stopped them. Linux only;
// elsewhere the figures are NaN.
import { readFileSync } from 'node:fs';

export interface CpuSnapshot {
  readonly atMs: number;
  readonly systemBusy: number;
  readonly steal: number;
  readonly own: number;
}

export interface Noise {
  /** CPU used by other processes, in CPUs (1.0 = one core busy all the time). */
  readonly otherCpus: number;
  /** CPU used by this bench and its runtimes, in CPUs. */
  readonly ownCpus: number;
  /** Hypervisor steal, in CPUs. */
  readonly stealCpus: number;
}

const TICKS_PER_SEC = 100; // USER_HZ, 100 on every Linux this runs on (sysconf(_SC_CLK_TCK))

export function cpuSnapshot(): CpuSnapshot {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    // /proc/self/stat: fields after the ")" of the command name; utime is field 14 (index 11 after the split).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const own = (f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0);
    return { atMs: Date.now(), systemBusy: user + nice + system + irq + softirq, steal, own };
  } catch {
    return { atMs: Date.now(), systemBusy: Number.NaN, steal: Number.NaN, own: Number.NaN };
  }
}

export function noiseBetween(a: CpuSnapshot, b: CpuSnapshot): Noise {
  const secs = (b.atMs - a.atMs) / 1000;
  const cpus = (ticks: number) => ticks / TICKS_PER_SEC / secs;
  const own = b.own - a.own;
  return { otherCpus: Math.max(0, cpus(b.systemBusy - a.systemBusy - own)), ownCpus: cpus(own), stealCpus: cpus(b.steal - a.steal) };
}
