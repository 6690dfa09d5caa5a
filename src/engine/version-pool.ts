// The execution environments of one function version: warm ones reused most-recently-used first (LIFO keeps
// few warm and lets the rest expire), new ones started when all are busy, idle ones stopped after keep-alive,
// and environments of an older code/configuration generation retired.
import type { InvocationOutcome } from '../model/outcome.js';
import type { EnvironmentSpec, InvokeInput } from './environment-spec.js';
import { type EnvironmentDeps, ExecutionEnvironment } from './execution-environment.js';

export class VersionPool {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly busy = new Set<ExecutionEnvironment>();
  private generation: string;
  private reaper: NodeJS.Timeout | undefined;

  constructor(spec: EnvironmentSpec, private readonly deps: EnvironmentDeps, private readonly keepAliveMs: number) {
    this.generation = spec.generation;
  }

  get size(): { idle: number; busy: number } {
    return { idle: this.idle.length, busy: this.busy.size };
  }

  async invoke(spec: EnvironmentSpec, input: InvokeInput): Promise<InvocationOutcome> {
    if (spec.generation !== this.generation) this.retire(spec.generation);
    const env = this.takeIdle() ?? new ExecutionEnvironment(spec, this.deps);
    this.busy.add(env);
    try {
      return await env.invoke(input);
    } finally {
      // With extensions the caller may have its response while the invocation goes on: the environment is free after.
      const phase = env.invokePhase;
      if (phase === undefined) this.release(env);
      else void phase.then(() => this.release(env));
    }
  }

  private release(env: ExecutionEnvironment): void {
    this.busy.delete(env);
    if (env.reusable && env.spec.generation === this.generation) {
      this.idle.push(env);
      this.scheduleReap();
    } else {
      void env.stop(env.reusable ? 'spindown' : 'failure');
    }
  }

  /** Stops idle environments of older generations now; busy ones are stopped when they finish. */
  retire(newGeneration: string): void {
    this.generation = newGeneration;
    for (const env of this.idle.splice(0)) void env.stop();
  }

  async stopAll(): Promise<void> {
    if (this.reaper) clearTimeout(this.reaper);
    await Promise.all([...this.idle.splice(0), ...this.busy].map((env) => env.stop()));
  }

  private takeIdle(): ExecutionEnvironment | undefined {
    for (let env = this.idle.pop(); env !== undefined; env = this.idle.pop()) {
      if (env.reusable) return env;
      void env.stop();
    }
    return undefined;
  }

  private scheduleReap(): void {
    if (this.reaper !== undefined) return;
    const oldest = this.idle[0];
    if (oldest === undefined) return;
    const wait = Math.max(0, oldest.lastUsedAt + this.keepAliveMs - this.deps.clock.now());
    this.reaper = setTimeout(() => {
      this.reaper = undefined;
      const cutoff = this.deps.clock.now() - this.keepAliveMs;
      // idle[] is ordered by last use (oldest first), so expired environments form a prefix.
      while (this.idle[0] !== undefined && this.idle[0].lastUsedAt <= cutoff) void this.idle.shift()?.stop();
      this.scheduleReap();
    }, wait);
    this.reaper.unref();
  }
}
