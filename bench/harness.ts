/**
 * The benchmark harness: timing, the yardstick B, targets, the printed table and bench/results.json.
 *
 * B (issue 4, anchors/bitmap_performance.md §7) is the time to copy one full-size bitmap (2^28 bits, 32 MiB)
 * with `TypedArray.prototype.set` into a preallocated array, measured in the same process as everything it
 * divides. B is sampled at the start and again between measurement groups (`context.yardstick()`), and every
 * ratio uses the median of all its samples, so a machine that speeds up or slows down during the run moves
 * both sides of the ratio.
 *
 * Every figure is a median over several timed runs after warm-up runs. Sections never assert a time: a target
 * that is missed is reported (`meets: false`), never thrown. Tests never import this file.
 */
import { cpus, loadavg, totalmem } from 'node:os';

/** One timed figure, before the ratios are known. */
export interface Measurement {
  readonly medianMs: number;
  readonly minMs: number;
  readonly runs: number;
}

/** What a result is checked against. */
export type Target =
  | { readonly kind: 'ratio-at-most'; readonly ratio: number }
  | { readonly kind: 'value-at-most'; readonly value: number; readonly unit: string }
  | { readonly kind: 'value-at-most-and-peer'; readonly value: number; readonly unit: string; readonly peer: string }
  | { readonly kind: 'value-at-least'; readonly value: number; readonly unit: string }
  | { readonly kind: 'at-most-ms'; readonly ms: number }
  /** At least the peer's value, and (`agree`) both tools checked the same space. */
  | { readonly kind: 'at-least-peer'; readonly peer: string; readonly agree: boolean }
  /** At most `factor` times the peer's value, and (`agree`) both tools checked the same space. */
  | { readonly kind: 'at-most-peer-times'; readonly peer: string; readonly factor: number; readonly agree: boolean };

export interface Peer {
  readonly value: number;
  readonly unit: string;
  /** Milliseconds that the peer's ratio to B is taken of (the same work as the result's). */
  readonly ms: number;
}

/** A result as a section records it. `ms` is the time that the ratio to B is taken of. */
export interface PendingResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly ms: number;
  readonly target?: Target;
  readonly peers?: Readonly<Record<string, Peer>>;
  /** B timed alongside this result (`compare`); the run's median B when absent. */
  readonly yardstickMs?: number;
  /** One line explaining a figure that needs it (printed under the table, and kept in the JSON). */
  readonly note?: string;
}

/** A result as written to bench/results.json. */
export interface FinalResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly ratio: number;
  readonly target: string | null;
  readonly meets: boolean | null;
  readonly peers: Readonly<Record<string, { readonly value: number; readonly unit: string; readonly ratio: number }>>;
  readonly note?: string;
}

export interface MeasureOptions {
  /** Timed runs (the median is reported); defaults to the context's. */
  readonly runs?: number;
  readonly warmup?: number;
  /** Untimed work before each run, e.g. restoring a destination. */
  readonly setup?: () => void;
}

/** One contender in `compare`: untimed `setup`, then timed `work`. */
export interface Variant {
  readonly work: () => unknown;
  readonly setup?: () => void;
}

export interface BenchOptions {
  readonly smoke: boolean;
  readonly runs: number;
  readonly warmup: number;
  /** Bits in the maps of the bitmap and yardstick measurements: 2^28, or 2^20 in smoke mode. */
  readonly bitCount: number;
}

/** A sink that the optimizer cannot see through, so timed loops are not removed. */
let sink = 0;
export function consume(value: unknown): void {
  sink = (sink + (typeof value === 'number' ? value : value ? 1 : 0)) % 1_000_003;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/**
 * Times `work` `runs` times after `warmup` untimed runs, `setup` untimed before each: `BenchContext.measure`,
 * and the timing of a worker thread, which has no context (bench/sections/workload-worker.ts).
 */
export function measureRuns(work: () => unknown, runs: number, warmup: number, setup?: () => void): Measurement {
  const samples: number[] = [];
  for (let run = 0; run < warmup + runs; run += 1) {
    setup?.();
    const start = process.hrtime.bigint();
    consume(work());
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (run >= warmup) samples.push(elapsed);
  }
  return { medianMs: median(samples), minMs: Math.min(...samples), runs };
}

export class BenchContext {
  private readonly results: PendingResult[] = [];
  private readonly yardstickSamples: number[] = [];
  private readonly source: Uint32Array;
  private readonly target: Uint32Array;

  /** 1, 5 and 15 minute load averages when the run began: other work on a small machine moves every figure. */
  readonly loadAtStart = loadavg().map((load) => round(load));

  constructor(readonly options: BenchOptions) {
    const words = Math.ceil(options.bitCount / 32);
    this.source = new Uint32Array(words);
    this.target = new Uint32Array(words);
    for (let index = 0; index < words; index += 1) this.source[index] = Math.imul(index, 0x9e3779b1) >>> 0;
  }

  get smoke(): boolean {
    return this.options.smoke;
  }

  /** Times `work` `runs` times after `warmup` untimed runs. */
  measure(work: () => unknown, options: MeasureOptions = {}): Measurement {
    return measureRuns(work, options.runs ?? this.options.runs, options.warmup ?? this.options.warmup, options.setup);
  }

  /**
   * Times several variants of the same work in alternation (A B B A A B ...), so that a machine that slows down
   * or speeds up during the measurement affects each the same way. Each timed run follows an untimed run of the
   * same variant, so each is measured with its own data in cache, as when it runs alone (a variant that sweeps
   * 32 MiB would otherwise evict the other's). B is timed in the same rounds and returned as `B`: a ratio to
   * it is then a ratio of times taken a moment apart, which other load on the machine moves far less than a
   * ratio to B taken minutes earlier. Returns one measurement per variant, and `B`.
   */
  compare<Name extends string>(variants: Readonly<Record<Name, Variant>>, options: Omit<MeasureOptions, 'setup'> = {}): Record<Name | 'B', Measurement> {
    const runs = options.runs ?? this.options.runs;
    const warmup = options.warmup ?? this.options.warmup;
    const names = Object.keys(variants) as Name[];
    const samples = new Map<Name, number[]>(names.map((name) => [name, []]));
    const yardstick: number[] = [];
    for (let run = 0; run < warmup + runs; run += 1) {
      if (run >= warmup) yardstick.push(this.yardstickOnce());
      const order = run % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const variant = variants[name];
        variant.setup?.();
        consume(variant.work());
        variant.setup?.();
        const start = process.hrtime.bigint();
        consume(variant.work());
        const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
        if (run >= warmup) samples.get(name)!.push(elapsed);
      }
    }
    const measured = Object.fromEntries(names.map((name) => {
      const taken = samples.get(name)!;
      return [name, { medianMs: median(taken), minMs: Math.min(...taken), runs }];
    })) as Record<Name, Measurement>;
    return { ...measured, B: { medianMs: median(yardstick), minMs: Math.min(...yardstick), runs } };
  }

  /** One sample of B after one untimed copy; also counted among the run's samples of B. */
  private yardstickOnce(): number {
    this.target.set(this.source);
    const start = process.hrtime.bigint();
    this.target.set(this.source);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    this.yardstickSamples.push(elapsed);
    return elapsed;
  }

  /** Takes more samples of B: a `TypedArray.prototype.set` copy of one full-size map into a preallocated array. */
  yardstick(runs = 5): void {
    for (let run = 0; run < runs + 1; run += 1) {
      const start = process.hrtime.bigint();
      this.target.set(this.source);
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (run > 0) this.yardstickSamples.push(elapsed);
    }
    consume(this.target[7]);
  }

  /** B in milliseconds: the median of every sample so far. */
  get yardstickMs(): number {
    return median(this.yardstickSamples);
  }

  get yardstickSampleCount(): number {
    return this.yardstickSamples.length;
  }

  record(result: PendingResult): void {
    this.results.push(result);
  }

  log(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  /** Ratios, targets and verdicts, once every section has run. */
  finalResults(): FinalResult[] {
    const b = this.yardstickMs;
    return this.results.map((result) => {
      const yardstickMs = result.yardstickMs ?? b;
      const ratio = result.ms / yardstickMs;
      const peers = Object.fromEntries(Object.entries(result.peers ?? {}).map(([name, peer]) =>
        [name, { value: round(peer.value), unit: peer.unit, ratio: round(peer.ms / yardstickMs) }]));
      return {
        name: result.name,
        value: round(result.value),
        unit: result.unit,
        ratio: round(ratio),
        target: result.target === undefined ? null : describeTarget(result.target),
        meets: result.target === undefined ? null : meets(result.target, result, ratio),
        peers,
        ...(result.note === undefined ? {} : { note: result.note }),
      };
    });
  }
}

function round(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(4));
}

export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'ratio-at-most':
      return `<= ${target.ratio} B`;
    case 'value-at-most':
      return `<= ${target.value} ${target.unit}`;
    case 'value-at-most-and-peer':
      return `<= ${target.value} ${target.unit} and <= ${target.peer}`;
    case 'value-at-least':
      return `>= ${target.value} ${target.unit}`;
    case 'at-most-ms':
      return `<= ${target.ms} ms`;
    case 'at-least-peer':
      return `>= ${target.peer}, equal states`;
    case 'at-most-peer-times':
      return `<= ${target.factor}x ${target.peer}, equal states`;
  }
}

function meets(target: Target, result: PendingResult, ratio: number): boolean {
  switch (target.kind) {
    case 'ratio-at-most':
      return ratio <= target.ratio;
    case 'value-at-most':
      return result.value <= target.value;
    case 'value-at-most-and-peer': {
      const peer = result.peers?.[target.peer];
      return result.value <= target.value && peer !== undefined && result.value <= peer.value;
    }
    case 'value-at-least':
      return result.value >= target.value;
    case 'at-most-ms':
      return result.value <= target.ms;
    case 'at-least-peer': {
      const peer = result.peers?.[target.peer];
      return target.agree && peer !== undefined && result.value >= peer.value;
    }
    case 'at-most-peer-times': {
      const peer = result.peers?.[target.peer];
      return target.agree && peer !== undefined && result.value <= target.factor * peer.value;
    }
  }
}

export function describeMachine(context: BenchContext): Record<string, unknown> {
  const processors = cpus();
  return {
    cpu: processors[0]?.model ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    loadAverageAtStart: context.loadAtStart,
    loadAverageAtEnd: loadavg().map((load) => round(load)),
    mode: context.smoke ? 'smoke' : 'full',
    bitCount: context.options.bitCount,
    runs: context.options.runs,
    warmup: context.options.warmup,
    yardstick: {
      name: 'B',
      description: `TypedArray.prototype.set copy of a ${context.options.bitCount}-bit map (${context.options.bitCount / 2 ** 23} MiB) into a preallocated array`,
      medianMs: round(context.yardstickMs),
      samples: context.yardstickSampleCount,
    },
  };
}

/** The printed table: one line per result. */
export function formatTable(results: readonly FinalResult[], yardstickMs: number): string {
  const header = ['result', 'value', 'ratio to B', 'target', 'meets', 'peer'];
  const rows = results.map((result) => {
    const [name, peer] = Object.entries(result.peers)[0] ?? [];
    return [
      result.name,
      `${formatNumber(result.value)} ${result.unit}`,
      formatNumber(result.ratio),
      result.target ?? '',
      result.meets === null ? '' : result.meets ? 'yes' : 'NO',
      peer === undefined ? '' : `${name}: ${formatNumber(peer.value)} ${peer.unit} (${formatNumber(peer.ratio)} B)`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  const notes = results.filter((result) => result.note !== undefined).map((result) => `* ${result.name}: ${result.note}`);
  return [
    `B = ${formatNumber(yardstickMs)} ms`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

function formatNumber(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

/**
 * One benchmark section: a module under bench/sections/ that measures one area and records its results.
 * Sections are listed in bench/run.ts, in the order they run.
 */
export interface BenchSection {
  /** Short kebab-case name, used by `--only`. */
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): void | Promise<void>;
}
