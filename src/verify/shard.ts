/**
 * Model-based runs across machines (issue 12 item 4): `copyspec verify --shard I/N` runs shard I of N, and
 * `copyspec merge` combines the `--json` documents of all N shards into one verdict and table (README
 * "Sharding across machines").
 *
 * Shard I of N of a run of R runs from seed S runs its share of the R runs, floor(R / N) plus one for the
 * first R mod N shards, from its own seed S + I - 1: the shards' seeds are disjoint and printed, each
 * shard's failures replay from their own seed, and shard 1/1 is the unsharded run. (fast-check's runs of one
 * seed are one stream that cannot be cut into ranges, so a shard's runs are not a slice of the unsharded
 * run's: the merged verdict is over the same number of runs, from N seeds instead of one.) The exhaustive
 * checks, which do not split, run in shard 1 only.
 *
 * Every document names its configuration (lifecycles, variant, checks, presets, base seed, total runs,
 * longest run); `merge` refuses, as bad input, a file that is not a shard document, shards of different
 * configurations or counts, a shard given twice, and a missing shard.
 */
import { z } from 'zod';
import type { CheckResult } from './report.js';

/** Which shard a run is: `index` from 1 to `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Shards a run may be split into: far more machines than any CI matrix allows. */
export const MAX_SHARDS = 1024;

/** `I/N` as a shard, or a one-line reason it is not one. */
export function parseShard(text: string): Shard | string {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (match === null) return `--shard ${text}: expected I/N, for instance 2/8`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) return `--shard ${text}: N must be from 1 to ${MAX_SHARDS}`;
  if (index < 1 || index > count) return `--shard ${text}: I must be from 1 to N`;
  return { index, count };
}

/** The seed and number of runs of one shard of `runs` runs from `seed`. */
export function shardRuns(shard: Shard, seed: number, runs: number): { readonly seed: number; readonly runs: number } {
  const base = Math.floor(runs / shard.count);
  return { seed: seed + shard.index - 1, runs: base + (shard.index <= runs % shard.count ? 1 : 0) };
}

/** What must be equal in every shard of one run. */
const configurationSchema = z.object({
  lifecycles: z.array(z.string()),
  variant: z.string().nullable(),
  checks: z.array(z.enum(['exhaustive', 'model-based'])),
  preset: z.string().nullable(),
  seed: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
  maxCommands: z.number().int().positive(),
}).strict();
export type ShardConfiguration = z.infer<typeof configurationSchema>;

const violationSchema = z.object({
  property: z.string(),
  ref: z.string(),
  trace: z.array(z.string()),
  events: z.array(z.unknown()),
  replay: z.string(),
  seed: z.number().optional(),
  path: z.string().optional(),
  replayPath: z.string().optional(),
}).strict();

const resultSchema = z.object({
  lifecycle: z.string(),
  variant: z.string(),
  check: z.enum(['exhaustive', 'model-based']),
  preset: z.string().optional(),
  states: z.number().int().nonnegative(),
  transitions: z.number().int().nonnegative(),
  transitionsCovered: z.number().int().nonnegative(),
  uncoveredTransitions: z.array(z.string()),
  steps: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
  properties: z.array(z.string()),
  violations: z.array(violationSchema),
  ms: z.number().nonnegative(),
  bytes: z.number().optional(),
  omissionProbability: z.number().optional(),
  stoppedEarly: z.literal(true).optional(),
}).strict();

/** A `copyspec verify --shard I/N --json` document. */
const shardDocumentSchema = z.object({
  ok: z.boolean(),
  seed: z.number().int().nonnegative(),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive(), seed: z.number().int().nonnegative(), runs: z.number().int().nonnegative() }).strict(),
  configuration: configurationSchema,
  results: z.array(resultSchema),
}).strict();
export type ShardDocument = z.infer<typeof shardDocumentSchema>;

/** Input `copyspec merge` refuses: exit 2 with this one line. */
export class MergeRefused extends Error {}

/** The shard document in `text` (from `file`), or a refusal naming the file and the first problem. */
export function parseShardDocument(file: string, text: string): ShardDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MergeRefused(`${file}: not readable JSON: ${(error as Error).message}`);
  }
  const parsed = shardDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MergeRefused(`${file}: not a copyspec verify --shard --json document: ${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The one result of a check over all shards: runs, steps and violations summed, the slowest shard's time. */
function mergedResult(parts: readonly CheckResult[]): CheckResult {
  const first = parts[0]!;
  if (first.check === 'exhaustive') return first;
  return {
    ...first,
    runs: parts.reduce((sum, r) => sum + r.runs, 0),
    steps: parts.reduce((sum, r) => sum + r.steps, 0),
    violations: parts.flatMap((r) => r.violations),
    ms: Math.max(...parts.map((r) => r.ms)),
  };
}

/**
 * The verdict and results of all shards of one run, in the unsharded run's order of checks. Refuses
 * documents of different configurations or shard counts, a shard given twice, and a missing one.
 */
export function mergeShards(documents: readonly { readonly file: string; readonly document: ShardDocument }[]): { ok: boolean; seed: number; results: CheckResult[] } {
  const [first, ...others] = documents;
  if (first === undefined) throw new MergeRefused('no shard documents given');
  const configuration = JSON.stringify(first.document.configuration);
  const byIndex = new Map<number, string>([[first.document.shard.index, first.file]]);
  for (const { file, document } of others) {
    if (JSON.stringify(document.configuration) !== configuration) throw new MergeRefused(`${file}: a shard of a different run than ${first.file} (its configuration differs)`);
    if (document.shard.count !== first.document.shard.count) throw new MergeRefused(`${file}: shard ${document.shard.index}/${document.shard.count}, but ${first.file} is one of ${first.document.shard.count}`);
    const twice = byIndex.get(document.shard.index);
    if (twice !== undefined) throw new MergeRefused(`${file}: shard ${document.shard.index}/${document.shard.count} again (also ${twice})`);
    byIndex.set(document.shard.index, file);
  }
  const { count } = first.document.shard;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) throw new MergeRefused(`shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${count}`).join(', ')} missing`);
  const ordered = [...documents].sort((a, b) => a.document.shard.index - b.document.shard.index);
  const groups = new Map<string, CheckResult[]>();
  for (const { document } of ordered) {
    for (const result of document.results) {
      const key = `${result.lifecycle}\u0000${result.variant}\u0000${result.check}`;
      groups.set(key, [...(groups.get(key) ?? []), result as CheckResult]);
    }
  }
  const results = [...groups.values()].map(mergedResult);
  return { ok: results.every((r) => r.violations.length === 0), seed: first.document.configuration.seed, results };
}
