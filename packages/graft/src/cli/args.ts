/** A parsed command line: positional words and `--name value` / `--flag` options. */
export interface Args {
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, string | true>;
}

/** Thrown for a command line the CLI cannot use; printed with the command's usage. */
export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], flags: readonly string[] = []): Args {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) options.set(name, inline);
      else if (flags.includes(name) || i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) options.set(name, true);
      else options.set(name, argv[++i]!);
    } else positional.push(a);
  }
  return { positional, options };
}

export function stringOption(args: Args, name: string, fallback: string): string {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function numberOption(args: Args, name: string, fallback: number, check: (n: number) => boolean, rule: string): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = v === true ? NaN : Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${rule}, got ${v === true ? 'no value' : JSON.stringify(v)}`);
  return n;
}
