/**
 * What `copyspec verify` refuses for a lifecycle that declares no world layout and no preset limits. Every
 * lifecycle copyspec verifies declares both, so the registry is given the test-only toggle lifecycle
 * (test/toggle/toggle.ts), which declares neither, as one more lifecycle: the refusals stay tested with a
 * lifecycle that truly lacks what they refuse for, through the command line's own path.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import type { AnyLifecycle } from '../src/lifecycle.js';
import { toggleLifecycle } from './toggle/toggle.js';
import { run } from './cli-run.js';

vi.mock('../src/lifecycles.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/lifecycles.js')>();
  const { toggleLifecycle: toggle } = await import('./toggle/toggle.js');
  const lifecycles: readonly AnyLifecycle[] = [...original.LIFECYCLES, toggle as unknown as AnyLifecycle];
  return { ...original, LIFECYCLES: lifecycles, lifecycleNamed: (id: string) => lifecycles.find((lifecycle) => lifecycle.id === id) };
});

describe('cli: refusals', () => {
  test('cli: refusals: the toggle lifecycle declares neither a layout nor preset limits', () => {
    // Were it to declare them, the tests below would no longer test a refusal.
    expect(toggleLifecycle.layout).toBeUndefined();
    expect(toggleLifecycle.presetSchema).toBeUndefined();
  });

  test('cli: refusals: a preset file for a lifecycle that declares no preset limits is refused before any search (exit 2)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-preset-'));
    const path = join(folder, 'preset.json');
    await writeFile(path, JSON.stringify({ lifecycle: 'toggle', geometry: {} }));
    const { code, out, err } = await run('verify', '--check', 'exhaustive', '--preset', path);
    expect(code).toBe(2);
    expect(err).toMatch(/toggle declares no preset limits/);
    expect(out).toBe('');
    expect(err).not.toContain('states explored');
  });

  test('cli: refusals: --compact over a lifecycle with no layout is refused (exit 2)', async () => {
    const { code, err } = await run('verify', '--lifecycle', 'toggle', '--check', 'exhaustive', '--compact');
    expect(code).toBe(2);
    expect(err).toMatch(/--compact needs a world layout, which toggle does not declare/);
  });
});
