/**
 * Bench section "spin" (issue 12 items 5 and 6): the Spin model checker as a side-by-side peer of copyspec's
 * exhaustive checker, on mirror-pair e1 with one-byte tracks written with 1 and 2, at 3 and 4 tracks (3x2,
 * 4x2; the smoke run does 3x2 only). Spin runs our Promela model of the same world (bench/spin/mirror-pair.ts)
 * breadth first (-DBFS, as copyspec searches), and the two stored-state counts must be equal: a mismatch
 * means one of the two models is wrong, and fails the bench (exit code 1).
 *
 * For each size it reports both tools' states per CPU-second (user plus system time of the search alone:
 * Spin's `pan` run without its compilation, copyspec's `exhaustive` call) and bytes per stored state
 * (Spin's "equivalent memory usage for states", which is state vectors plus their hash-table overhead,
 * against copyspec's visited set and per-state arrays, `CheckResult.bytes`). The bench installs nothing:
 * without `spin` or `gcc` on the PATH (Debian: `apt-get install -y spin gcc`) the rows say so and the bench
 * goes on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import type { BenchContext, BenchSection } from '../harness.js';
import { mirrorPairPromela, type SpinPreset } from '../spin/mirror-pair.js';

const SIZES: readonly SpinPreset[] = [
  { trackCount: 3, values: [1, 2] },
  { trackCount: 4, values: [1, 2] },
];
/** Spin's memory bound in MB (pan's -DMEMLIM): far above what 4x2 needs. */
const SPIN_MEMLIM_MB = 8192;
/** Every external command's time limit: a hung tool is reported, not waited for. */
const TOOL_TIMEOUT_MS = 600_000;

interface Run {
  readonly states: number;
  readonly cpuSeconds: number;
  readonly bytes: number;
}

function missingTool(): string | null {
  for (const [tool, flag] of [['spin', '-V'], ['gcc', '--version']] as const) {
    const probe = spawnSync(tool, [flag], { encoding: 'utf8' });
    if (probe.error !== undefined || probe.status !== 0) return tool;
  }
  return null;
}

function run(command: string, args: readonly string[], cwd: string): string {
  const done = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, maxBuffer: 1 << 26 });
  if (done.error !== undefined) throw new Error(`${command}: ${done.error.message}`);
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${done.status}: ${(done.stderr || done.stdout).slice(0, 400)}`);
  return done.stdout;
}

/** Compiles and runs the Promela model; the search's CPU time is the shell's `times` for its child. */
function spinRun(preset: SpinPreset): Run {
  const folder = mkdtempSync(join(tmpdir(), 'copyspec-spin-'));
  try {
    writeFileSync(join(folder, 'mirror-pair.pml'), mirrorPairPromela(preset));
    // -o2 turns off Spin's dead-variable elimination: the model's release image, interval and secondary are
    // read by no Promela statement (copyspec's properties read them), and Spin would reset them before
    // storing a state, merging worlds copyspec keeps apart (40 states instead of 44 at one track, one value).
    run('spin', ['-a', '-o2', 'mirror-pair.pml'], folder);
    run('gcc', ['-O2', '-DBFS', '-DSAFETY', '-DNOCLAIM', `-DMEMLIM=${SPIN_MEMLIM_MB}`, '-o', 'pan', 'pan.c'], folder);
    const output = run('bash', ['-c', './pan -m10000000 && times'], folder);
    const stored = /(\d+) states, stored/.exec(output);
    const memory = /([\d.]+)\s+equivalent memory usage for states/.exec(output);
    const times = /\n(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(output);
    if (stored === null || memory === null || times === null) throw new Error(`unexpected pan output: ${output.slice(-600)}`);
    if (/errors: [1-9]/.test(output)) throw new Error(`pan found an error: ${output.slice(0, 600)}`);
    const cpuSeconds = 60 * Number(times[1]) + Number(times[2]) + 60 * Number(times[3]) + Number(times[4]);
    return { states: Number(stored[1]), cpuSeconds, bytes: Number(memory[1]) * 2 ** 20 };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function copyspecRun(preset: SpinPreset): Run {
  const geometry = { trackCount: preset.trackCount, trackSize: 1, values: preset.values };
  const before = process.cpuUsage();
  const result = exhaustive(mirrorPairLifecycle, 'e1', { preset: `${preset.trackCount}x${preset.values.length}`, geometry });
  const used = process.cpuUsage(before);
  if (result.violations.length > 0) throw new Error(`copyspec found violations: ${result.violations.map((v) => v.property).join(', ')}`);
  return { states: result.states, cpuSeconds: (used.user + used.system) / 1e6, bytes: result.bytes ?? 0 };
}

function recordSize(context: BenchContext, preset: SpinPreset, missing: string | null): void {
  const size = `${preset.trackCount}x${preset.values.length}`;
  const rate = `spin peer: mirror-pair e1 ${size}, states per CPU-second`;
  const perState = `spin peer: mirror-pair e1 ${size}, bytes per stored state`;
  context.log(`spin: mirror-pair e1 ${size}`);
  const ours = copyspecRun(preset);
  const oursNote = `copyspec ${ours.states} states in ${ours.cpuSeconds.toFixed(2)} CPU s, ${(ours.bytes / 2 ** 20).toFixed(1)} MB`;
  if (missing !== null) {
    const note = `${missing} is not installed (apt-get install -y spin gcc), so Spin did not run; ${oursNote}`;
    context.record({ name: rate, value: ours.states / ours.cpuSeconds, unit: 'states/CPU-s', ms: ours.cpuSeconds * 1000, note });
    context.record({ name: perState, value: ours.bytes / ours.states, unit: 'B/state', ms: ours.cpuSeconds * 1000, note });
    return;
  }
  let spin: Run;
  try {
    spin = spinRun(preset);
  } catch (error) {
    const note = `Spin failed: ${error instanceof Error ? error.message : String(error)}; ${oursNote}`;
    context.record({ name: rate, value: ours.states / ours.cpuSeconds, unit: 'states/CPU-s', ms: ours.cpuSeconds * 1000, note });
    process.exitCode = 1;
    return;
  }
  const agree = spin.states === ours.states;
  if (!agree) process.exitCode = 1;
  const counts = agree
    ? `both ${ours.states} states`
    : `STATE COUNTS DIFFER: Spin ${spin.states}, copyspec ${ours.states}; one of the two models is wrong`;
  const note = `${counts}; Spin ${spin.cpuSeconds.toFixed(2)} CPU s, ${(spin.bytes / 2 ** 20).toFixed(1)} MB; ${oursNote}`;
  context.record({
    name: rate, value: ours.states / ours.cpuSeconds, unit: 'states/CPU-s', ms: ours.cpuSeconds * 1000, note,
    target: { kind: 'at-least-peer', peer: 'spin', agree },
    peers: { spin: { value: spin.states / spin.cpuSeconds, unit: 'states/CPU-s', ms: spin.cpuSeconds * 1000 } },
  });
  context.record({
    name: perState, value: ours.bytes / ours.states, unit: 'B/state', ms: ours.cpuSeconds * 1000, note,
    target: { kind: 'at-most-peer-times', peer: 'spin', factor: 2, agree },
    peers: { spin: { value: spin.bytes / spin.states, unit: 'B/state', ms: spin.cpuSeconds * 1000 } },
  });
}

export const spinSection: BenchSection = {
  name: 'spin',
  description: 'Spin as a peer: equal state counts, states per CPU-second and bytes per state (mirror-pair e1, 3x2 and 4x2)',
  run(context) {
    const missing = missingTool();
    for (const preset of context.smoke ? SIZES.slice(0, 1) : SIZES) recordSize(context, preset, missing);
  },
};
