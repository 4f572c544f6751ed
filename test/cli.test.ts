import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXTENT_PINNED, EXTENT_PRESETS } from '../src/extent-copy/lifecycle.js';
import { FAILOVER_PINNED, FAILOVER_PRESETS } from '../src/failover-failback/lifecycle.js';
import { FREEZE_PINNED, FREEZE_PRESETS } from '../src/freeze-remote-copy/lifecycle.js';
import { MIRROR_PINNED } from '../src/mirror-pair/lifecycle.js';
import { BACKUP_PINNED } from '../src/scheduled-backup/lifecycle.js';
import { run } from './cli-run.js';

describe('cli', () => {
  test('cli: verify --list --json names every lifecycle with its variants and their kinds', async () => {
    const { code, out } = await run('verify', '--list', '--json');
    expect(code).toBe(0);
    const listing = JSON.parse(out) as { lifecycles: { id: string; variants: { name: string; kind: string }[] }[] };
    const mirror = listing.lifecycles.find((l) => l.id === 'mirror-pair');
    expect(mirror?.variants).toContainEqual({ name: 'e1', kind: 'embodiment' });
    expect(mirror?.variants).toContainEqual({ name: 'literal-unguarded', kind: 'literal-defect' });
    expect(mirror?.variants).toContainEqual({ name: 'resync-skips-track', kind: 'broken' });
  });

  test('cli: verify --json prints only the documented JSON document', async () => {
    const { code, out, err } = await run('verify', '--lifecycle', 'mirror-pair', '--variant', 'e1', '--runs', '20', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as { ok: boolean; results: Record<string, unknown>[] };
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => r['check'])).toEqual(['exhaustive', 'model-based']);
    for (const result of report.results) {
      for (const field of ['lifecycle', 'variant', 'check', 'states', 'transitions', 'transitionsCovered', 'runs', 'steps', 'properties', 'violations', 'ms']) {
        expect(result).toHaveProperty(field);
      }
    }
    expect(report.results[0]).toMatchObject({ states: 49042, transitions: 43, transitionsCovered: 43, violations: [] });
    expect(err).toContain('[1/2] mirror-pair e1 exhaustive'); // progress goes to stderr
  }, 60_000);

  test('cli: a broken variant named with --variant exits 1 with a trace and a replay command', async () => {
    const { code, out } = await run('verify', '--variant', 'suspend-keeps-primary-bitmap', '--check', 'exhaustive');
    expect(code).toBe(1);
    expect(out).toContain('VIOLATED mirror-pair / suspend-keeps-primary-bitmap / exhaustive: primary-bitmap-exact');
    expect(out).toMatch(/^ {2}\d+\. .*✗ primary-bitmap-exact$/m);
    const replay = /replay: (copyspec replay .*)$/m.exec(out)?.[1];
    expect(replay).toBeDefined();
    const events = /--events '(.*)'$/.exec(replay!)?.[1];
    const replayed = await run('replay', '--lifecycle', 'mirror-pair', '--variant', 'suspend-keeps-primary-bitmap', '--events', events!);
    expect(replayed.code).toBe(1);
    expect(replayed.out).toContain('✗ primary-bitmap-exact');
  }, 60_000);

  test('cli: replay of a correct variant passes and prints one line per step', async () => {
    const events = JSON.stringify([{ type: 'pair.establish', pair: 0 }, { type: 'copy.step', pair: 0 }, { type: 'pair.suspend', pair: 0 }]);
    const { code, out } = await run('replay', '--lifecycle', 'mirror-pair', '--variant', 'e2', '--events', events);
    expect(code).toBe(0);
    expect(out.split('\n').filter((line) => /^\d+\. /.test(line))).toHaveLength(4);
    expect(out).toContain('3. pair.suspend → rejected wrong-state (6)');
  });

  test.each([
    [['verify', '--lifecycle', 'nope'], /unknown lifecycle 'nope'/],
    [['verify', '--variant', 'nope'], /no variant 'nope'/],
    [['verify', '--runs', 'many'], /expected a whole number/],
    [['verify', '--check', 'fuzz'], /Allowed choices are exhaustive, model-based/],
    [['frobnicate'], /unknown command/],
    [['verify', '--variant', 'e1', '--check', 'model-based', '--path', '99:99'], /replays no run of seed 20261121/],
    [['replay', '--lifecycle', 'mirror-pair', '--variant', 'e1', '--events', '[{"type":"pair.explode","pair":0}]'], /event 1: type/],
    [['replay', '--lifecycle', 'mirror-pair', '--variant', 'e1', '--events', '{not json'], /not readable JSON/],
    [['replay', '--lifecycle', 'mirror-pair', '--variant', 'e9', '--events', '[]'], /no variant 'e9'/],
  ])('cli: bad usage %j exits 2 with a clear message', async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  test('cli: a malformed scenario file is refused with the field named, and nothing runs', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-'));
    const file = join(folder, 'scenario.json');
    await writeFile(file, JSON.stringify({ lifecycle: 'mirror-pair', variant: 'e1', preset: 'huge', events: [] }));
    const bad = await run('replay', '--file', file);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/preset/);
    expect(bad.out).toBe('');
    await writeFile(file, JSON.stringify({ lifecycle: 'mirror-pair', variant: 'e1', events: [{ type: 'host.write', volume: 0, offset: 0, data: '01' }] }));
    const good = await run('replay', '--file', file);
    expect(good.code).toBe(0);
  });

  test.each([
    [['simulate', 'nope'], /unknown lifecycle 'nope'/],
    [['simulate', 'mirror-pair'], /lifecycle 'mirror-pair' defines no simulation/],
    [['simulate'], /missing required argument 'lifecycle'/],
    [['simulate', 'mirror-pair', '--seed', 'x'], /expected a whole number/],
  ])('cli: simulate with bad usage %j exits 2 with a clear message', async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});

describe('cli: presets', () => {
  const presetFile = async (json: unknown): Promise<string> => {
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-preset-'));
    const path = join(folder, 'preset.json');
    await writeFile(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };

  test('cli: presets: a preset file sets the exhaustive geometry, names the result and its replay commands', async () => {
    const path = await presetFile({ lifecycle: 'mirror-pair', geometry: { trackCount: 2, trackSize: 1, values: [1, 2] } });
    const { code, out } = await run('verify', '--variant', 'e1', '--check', 'exhaustive', '--preset', path, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as { results: { lifecycle: string; preset: string; states: number; bytes: number }[] };
    expect(report.results).toHaveLength(1);
    // 2 one-byte tracks, values 1 and 2: the world of the small preset, and one that bench/spin/mirror-pair.ts can model.
    expect(report.results[0]).toMatchObject({ lifecycle: 'mirror-pair', preset: path, states: 9988 });
    expect(report.results[0]!.bytes).toBeGreaterThan(0);
  }, 60_000);

  test('cli: presets: a counterexample over a preset file replays over the same file', async () => {
    const path = await presetFile({ lifecycle: 'mirror-pair', geometry: { trackCount: 2, trackSize: 1, values: [1] } });
    const verified = await run('verify', '--lifecycle', 'mirror-pair', '--variant', 'literal-unguarded', '--check', 'exhaustive', '--preset', path, '--json');
    expect(verified.code).toBe(1);
    const violation = (JSON.parse(verified.out) as { results: { violations: { replay: string; events: unknown[] }[] }[] }).results[0]!.violations[0]!;
    expect(violation.replay).toContain(`--preset ${path}`);
    const replayed = await run('replay', '--lifecycle', 'mirror-pair', '--variant', 'literal-unguarded', '--preset', path, '--events', JSON.stringify(violation.events));
    expect(replayed.code).toBe(1);
    expect(replayed.out).toContain('✗');
  }, 60_000);

  test.each([
    ['a preset no lifecycle checked names', ['--lifecycle', 'extent-copy', '--preset', 'huge'], /no preset 'huge' in extent-copy/],
    ['an extent past volume 0', [{ lifecycle: 'extent-copy', geometry: { ...EXTENT_PRESETS.minimal, extents: [{ start: 1, end: 2 }, { start: 4, end: 6 }] } }], /extent-copy geometry: extents\.1: an extent must have start <= end < 6/],
    ['more writes than written values', [{ lifecycle: 'failover-failback', geometry: { ...FAILOVER_PRESETS.minimal, maxWrites: 3 } }], /failover-failback geometry: maxWrites: the k-th write/],
    ['a scheduled-backup table, which only the bounds of a history may change', [{ lifecycle: 'scheduled-backup', geometry: { horizon: 4, tickLengths: [1], values: [1], maxHostWrites: 1, maxConfigRequests: 1, tables: [] } }], /Unrecognized key/],
    ['a geometry beyond the documented limits', [{ lifecycle: 'mirror-pair', geometry: { trackCount: 99, trackSize: 1, values: [1] } }], /mirror-pair geometry: trackCount: Too big/],
    ['a geometry with an unknown field', [{ lifecycle: 'mirror-pair', geometry: { trackCount: 2, trackSize: 1, values: [1], extra: 1 } }], /Unrecognized key/],
    ['repeated written values', [{ lifecycle: 'mirror-pair', geometry: { trackCount: 2, trackSize: 1, values: [1, 1] } }], /written values must be distinct/],
    ['a freeze-remote-copy geometry beyond the documented limits', [{ lifecycle: 'freeze-remote-copy', geometry: { ...FREEZE_PRESETS.minimal, linkCapacity: 16 } }], /freeze-remote-copy geometry: linkCapacity: Too big/],
    ['a freeze-remote-copy corruption offered after the last freeze', [{ lifecycle: 'freeze-remote-copy', geometry: { ...FREEZE_PRESETS.minimal, corruptUntilFreeze: 3 } }], /freeze-remote-copy geometry: corruptUntilFreeze: a corruption is offered no later/],
    ['an unknown lifecycle', [{ lifecycle: 'nope', geometry: {} }], /unknown lifecycle 'nope'/],
    ['a file that is not JSON', ['{"lifecycle": '], /not readable JSON/],
    ['a missing file', ['/nonexistent/preset.json'], /not readable JSON/],
  ])('cli: presets: %s is refused before any search (exit 2)', async (_name, given, message) => {
    const [first] = given as unknown[];
    const args = Array.isArray(given) && typeof first === 'string' && first.startsWith('--')
      ? given as string[]
      : ['--preset', typeof first === 'string' && first.startsWith('/') ? first : await presetFile(first)];
    const { code, out, err } = await run('verify', '--check', 'exhaustive', ...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe('');
    expect(err).not.toContain('states explored');
  });

  // A preset file that sets a lifecycle's minimal geometry (scheduled-backup's: its bounds of a history) must
  // search the minimal preset's worlds: the schema's output is the geometry the search runs over.
  test.each([
    ['extent-copy', 'e2', EXTENT_PRESETS.minimal, EXTENT_PINNED],
    ['failover-failback', 'e3', FAILOVER_PRESETS.minimal, FAILOVER_PINNED],
    ['freeze-remote-copy', 'e2', FREEZE_PRESETS.minimal, FREEZE_PINNED],
    ['scheduled-backup', 'disk', { horizon: 4, tickLengths: [1, 2], values: [1], maxHostWrites: 1, maxConfigRequests: 1 }, BACKUP_PINNED],
  ] as const)('cli: presets: a preset file of %s\'s minimal geometry searches its pinned worlds', async (lifecycle, variant, geometry, pinned) => {
    const path = await presetFile({ lifecycle, geometry });
    const { code, out } = await run('verify', '--variant', variant, '--check', 'exhaustive', '--preset', path, '--json');
    expect(code).toBe(0);
    expect((JSON.parse(out) as { results: { lifecycle: string; states: number }[] }).results[0]).toMatchObject({ lifecycle, states: pinned[variant]!.states });
  }, 120_000);

  test.each([
    ['mirror-pair', 'e1', MIRROR_PINNED],
    ['extent-copy', 'e2', EXTENT_PINNED],
    ['failover-failback', 'e3', FAILOVER_PINNED],
    ['freeze-remote-copy', 'e2', FREEZE_PINNED],
    ['scheduled-backup', 'disk', BACKUP_PINNED],
  ] as const)('cli: presets: --compact over %s keeps fingerprints only, finds the same states and prints the omission bound', async (lifecycle, variant, pinned) => {
    const { code, out, err } = await run('verify', '--lifecycle', lifecycle, '--variant', variant, '--check', 'exhaustive', '--compact', '--json');
    expect(code).toBe(0);
    const result = (JSON.parse(out) as { results: { states: number; omissionProbability: number }[] }).results[0]!;
    expect(result.states).toBe(pinned[variant]!.states); // the exact search's pinned count: nothing omitted here
    expect(result.omissionProbability).toBeGreaterThan(0);
    expect(result.omissionProbability).toBeLessThan(1e-9);
    expect(err).toContain('hash compaction: a state omitted with probability at most');
  }, 60_000);

  // Every lifecycle copyspec verifies now declares a layout and preset limits: test/cli-refusals.test.ts
  // checks the refusals of a lifecycle that declares neither (the test-only toggle).
});
