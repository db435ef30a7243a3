import { platform } from '#platform';

/** Where progress goes: by default process.stderr in Node, nowhere in a page. */
export interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
  write(s: string): unknown;
}

/** Seconds as `1m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A one-line progress bar redrawn in place (`\r`), on a terminal only:
 * `epoch 1/3 [=====>      ] 4096/8000  812 img/s  loss 0.2345  ETA 5s`.
 * Redraws at most every 100 ms; silent when the stream is not a TTY.
 */
export class ProgressBar {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  #last = 0;
  #shown = false;

  constructor(stream: ProgressStream | undefined = platform.defaultProgress(), enabled = true) {
    this.#stream = stream ?? { write: () => undefined };
    this.#enabled = enabled && stream?.isTTY === true;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Redraws (throttled unless `force`). */
  update(label: string, done: number, total: number, imagesPerSecond: number, loss: number, force = false): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (!force && now - this.#last < 100) return;
    this.#last = now;
    const eta = imagesPerSecond > 0 ? (total - done) / imagesPerSecond : NaN;
    const rest = ` ${done}/${total}  ${imagesPerSecond.toFixed(0)} img/s  loss ${loss.toFixed(4)}  ETA ${formatDuration(eta)}`;
    // A pseudo-terminal may report 0 columns.
    const cols = (this.#stream.columns ?? 0) >= 40 ? this.#stream.columns! : 120;
    // The bar takes what the terminal leaves, 8 to 30 cells.
    const width = Math.max(8, Math.min(30, cols - 1 - label.length - 3 - rest.length));
    const filled = Math.min(width, Math.round((done / total) * width));
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (filled === width ? '=' : '>') : '') + ' '.repeat(width - filled);
    const line = `${label} [${bar}]${rest}`;
    // Padding clears what a longer previous line left behind.
    this.#stream.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
    this.#shown = true;
  }

  /** Ends the bar's line with a summary (or clears it). */
  done(summary?: string): void {
    if (!this.#enabled) return;
    if (this.#shown) this.#stream.write(`\r\x1b[2K`);
    if (summary !== undefined) this.#stream.write(`${summary}\n`);
    this.#shown = false;
  }
}
