/**
 * `--preset` of `copyspec verify` and `copyspec replay` (issue 12 item 3): a preset the lifecycle names
 * (`minimal`, `deep`, ...), or a preset file that sets the geometry of one lifecycle within its documented
 * limits, the lifecycle's `presetSchema`:
 *
 *     {"lifecycle": "mirror-pair", "geometry": {"trackCount": 3, "trackSize": 1, "values": [1, 2]}}
 *
 * The file's path is then the preset's name, in results and in replay commands, so that a counterexample
 * found over a file replays over the same file. Every refusal is a `PresetRefused` with one line of text,
 * given before any search starts (exit 2).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AnyLifecycle } from './lifecycle.js';
import { lifecycleNamed, LIFECYCLES } from './lifecycles.js';

/** A preset the command line cannot use: unknown, unreadable, malformed, or beyond the lifecycle's limits. */
export class PresetRefused extends Error {}

/** The preset a search runs over: its name (or file path) and its geometry. */
export interface ChosenPreset {
  readonly name: string;
  readonly geometry: unknown;
}

/** Preset files are small JSON documents; a bigger one is not a preset file. */
const MAX_FILE_BYTES = 65_536;

const fileSchema = z.object({
  lifecycle: z.string(),
  geometry: z.unknown(),
}).strict();

/** A name is a file when it looks like a path; a lifecycle's preset names are plain words. */
export function isPresetFile(name: string): boolean {
  return name.includes('/') || name.includes('\\') || name.endsWith('.json');
}

const issuesText = (issues: z.ZodError['issues']): string => issues.map((i) => `${i.path.join('.') || 'preset'}: ${i.message}`).join('; ');

/** The lifecycle and geometry a preset file sets, validated by that lifecycle's schema. */
export function readPresetFile(path: string): { readonly lifecycle: AnyLifecycle; readonly geometry: unknown } {
  let json: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > MAX_FILE_BYTES) throw new Error(`longer than ${MAX_FILE_BYTES} bytes`);
    json = JSON.parse(text);
  } catch (error) {
    throw new PresetRefused(`preset file ${path}: not readable JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw new PresetRefused(`preset file ${path}: ${issuesText(parsed.error.issues)}`);
  const lifecycle = lifecycleNamed(parsed.data.lifecycle);
  if (lifecycle === undefined) {
    throw new PresetRefused(`preset file ${path}: unknown lifecycle '${parsed.data.lifecycle}'; known: ${LIFECYCLES.map((l) => l.id).join(', ')}`);
  }
  if (lifecycle.presetSchema === undefined) {
    throw new PresetRefused(`preset file ${path}: ${lifecycle.id} declares no preset limits, so only its named presets can be searched: ${Object.keys(lifecycle.presets).join(', ')}`);
  }
  const geometry = lifecycle.presetSchema.safeParse(parsed.data.geometry);
  if (!geometry.success) throw new PresetRefused(`preset file ${path}: ${lifecycle.id} geometry: ${issuesText(geometry.error.issues)}`);
  return { lifecycle, geometry: geometry.data };
}

/** The preset `name` (a preset of the lifecycle, or a preset file for it) for `lifecycle`. */
export function choosePreset(lifecycle: AnyLifecycle, name: string): ChosenPreset {
  const named = lifecycle.preset(name);
  if (named !== undefined) return { name, geometry: named };
  if (!isPresetFile(name)) throw new PresetRefused(`no preset '${name}' in ${lifecycle.id}; known: ${Object.keys(lifecycle.presets).join(', ')}, or a preset file`);
  const file = readPresetFile(name);
  if (file.lifecycle !== lifecycle) throw new PresetRefused(`preset file ${name} is for ${file.lifecycle.id}, not ${lifecycle.id}`);
  return { name, geometry: file.geometry };
}
