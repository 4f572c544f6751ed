/**
 * `copyspec simulate scheduled-backup`: a day of schedule over six volumes and three tape drives. The run
 * is seeded, so its table is the same every time: what ran, what it wrote to which labels, and the abnormal
 * ends the configuration provokes (a wrong tape mounted, a device of unknown type, a label series that runs
 * out of digits).
 */
import { describe, expect, test } from 'vitest';
import { run } from '../cli-run.js';

describe('scheduled-backup: simulate', () => {
  test('scheduled-backup: simulate: a day of schedule exits 0 with one table row per entry and the abnormal ends named', async () => {
    const { code, out, err } = await run('simulate', 'scheduled-backup');
    expect(code).toBe(0);
    const rows = out.split('\n').filter((line) => /^\d+ {2,}v\d/.test(line));
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatch(/^0 +v0 \(40\) +d0 +01:00 +01:00 +\S+ +normal +40 +SSC001-SSC003 +verified$/);
    expect(rows[4]).toMatch(/abnormal: label\.mismatch/);
    expect(rows[5]).toMatch(/abnormal: type\.unknown/);
    expect(rows[7]).toMatch(/abnormal: label\.overflow +\d+ +LTO998-LTO999/);
    expect(rows.filter((row) => / normal /.test(row)).every((row) => /(verified|superseded)$/.test(row))).toBe(true);
    expect(out).toContain('Every property held at every step.');
    expect(err).toMatch(/\r\[#{30}\] 100% {2}24:00 {2}10\/10 backups ended\n$/); // the progress bar, on stderr only
    expect(out).not.toContain('\r');
  }, 60_000);

  test('scheduled-backup: simulate: --json prints the runs as a document, and the same seed gives the same day', async () => {
    const first = await run('simulate', 'scheduled-backup', '--json', '--seed', '7');
    const second = await run('simulate', 'scheduled-backup', '--json', '--seed', '7');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.out) as { seed: number; violation: string | null; runs: { entry: number; result: string; labels: string[] }[] };
    expect(report.seed).toBe(7);
    expect(report.violation).toBeNull();
    expect(report.runs.map((r) => r.entry)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(report.runs.filter((r) => r.result === 'abnormal').length).toBeGreaterThanOrEqual(2);
    expect(second.out).toBe(first.out);
  }, 60_000);

  test('scheduled-backup: simulate: bad usage exits 2 and runs nothing', async () => {
    const bad = await run('simulate', 'scheduled-backup', '--seed', '-1');
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    const unknown = await run('simulate', 'scheduled-backups');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown lifecycle 'scheduled-backups'/);
  });
});
