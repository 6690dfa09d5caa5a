// A small argument parser for the nimbus command: positionals plus `--name value`, `--name=value`, boolean
// `--flag` and repeatable `--name value` (collected in order). Unknown options are errors, so typos never pass
// silently. It knows nothing about the commands themselves.

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Record<string, string | true>;
  /** Values of the repeatable options, in the order given (absent when the option was never given). */
  readonly lists: Record<string, string[]>;
}

export interface ArgSpec {
  readonly values: readonly string[];
  readonly flags: readonly string[];
  readonly repeatable?: readonly string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  const lists: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else if (spec.values.includes(name) || spec.repeatable?.includes(name) === true) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (spec.repeatable?.includes(name) === true) (lists[name] ??= []).push(value);
      else options[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, options, lists };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

/** A whole positive number, or a UsageError naming the option. */
export function intOption(args: ParsedArgs, name: string): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new UsageError(`--${name} must be a positive whole number, got '${raw}'`);
  return Number(raw);
}

/** Exactly `count` positionals (or at least `count` with `atLeast`), else a UsageError saying what is missing. */
export function requirePositionals(args: ParsedArgs, names: readonly string[], atLeast = false): string[] {
  const got = args.positionals;
  if (got.length < names.length) throw new UsageError(`missing <${names[got.length] ?? ''}>`);
  if (!atLeast && got.length > names.length) throw new UsageError(`unexpected argument '${got[names.length] ?? ''}'`);
  return got;
}
