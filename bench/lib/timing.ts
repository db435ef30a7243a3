/** Interleaved timing: graft and the in-process peers take turns, so they share the machine's moods. */

export interface TimingOptions {
  /** Per implementation and case: keep sampling until this much time is spent … */
  readonly budgetMs: number;
  /** … and at least this many runs … */
  readonly minRuns: number;
  /** … and at most this many. */
  readonly maxRuns: number;
  /** A first run at least this long is reported alone instead of repeated. */
  readonly singleRunMs: number;
  /** One contender's turn in a round lasts at least this long (see `timeInterleaved`). */
  readonly turnMs: number;
}

export interface Contender {
  readonly name: string;
  enter?(): Promise<void> | void;
  run(): Promise<unknown>;
  /** `run` resolves to `{ ms }` measured where it ran. */
  readonly selfTimed?: boolean;
  readonly times: number[];
}

/** Milliseconds of one `run()` (after `enter()`, which is not timed). */
export async function timeOnce(c: Pick<Contender, 'enter' | 'run' | 'selfTimed'>): Promise<{ ms: number; result: unknown }> {
  await c.enter?.();
  const t0 = performance.now();
  const result = await c.run();
  const ms = performance.now() - t0;
  return { ms: c.selfTimed ? (result as { ms: number }).ms : ms, result };
}

/**
 * One warm-up run each, then rounds in which every contender that still needs samples takes a
 * turn; times land in `c.times`. A turn repeats the run until it has lasted `turnMs`: when it
 * ran more than once, its first run only re-warms the caches the others evicted and is not
 * recorded (sub-millisecond cases would otherwise measure cold caches; long runs are one run
 * per turn, recorded).
 */
export async function timeInterleaved(cs: readonly Contender[], o: TimingOptions): Promise<void> {
  for (const c of cs) await timeOnce(c);
  const spent = (c: Contender) => c.times.reduce((a, b) => a + b, 0);
  const needs = (c: Contender) => c.times.length < o.maxRuns && (c.times.length < o.minRuns || spent(c) < o.budgetMs);
  for (let active = cs.filter(needs); active.length > 0; active = cs.filter(needs)) {
    for (const c of active) {
      const turn: number[] = [];
      const start = performance.now();
      do turn.push((await timeOnce(c)).ms);
      while (performance.now() - start < o.turnMs && c.times.length + turn.length - 1 < o.maxRuns);
      c.times.push(...(turn.length > 1 ? turn.slice(1) : turn));
    }
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
