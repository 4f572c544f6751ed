/**
 * The report in a real browser: Debian's Chromium, headless, driven by playwright-core (which downloads no
 * browser of its own), over two reports: the one `copyspec verify --variant literal-unguarded --report`
 * writes, and a broad one over every lifecycle in LIFECYCLES (one embodiment each and every literal-defect
 * variant, so that every kind of page is there while the checks stay quick).
 *
 * Chromium must be there: .ci/run installs it (`apt-get install -y chromium`), and without it these tests
 * fail and say how to get it, rather than pass untested. COPYSPEC_CHROMIUM names another Chromium or Chrome
 * binary. The flags keep Chromium off the network, which this machine's closed network would otherwise
 * refuse with errors, and a fresh profile folder keeps one run from seeing another's state.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { GENERATOR, main } from '../../src/cli.js';
import { toSvg } from '../../src/diagrams.js';
import { errataSearch } from '../../src/errata.js';
import { LIFECYCLES } from '../../src/lifecycles.js';
import { inlineSvg } from '../../src/report/html.js';
import { buildReport, writeReport } from '../../src/report/report.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import { modelBased } from '../../src/verify/model-based.js';
import type { CheckResult } from '../../src/verify/report.js';

const CHROMIUM = process.env['COPYSPEC_CHROMIUM'] ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1280, height: 800 };
const SCREENSHOT = 'docs/report/trace-player.png';
/** The smallest rendered label height, in CSS pixels, that counts as readable. */
const READABLE_PX = 10;

let context: BrowserContext | undefined;
const missing = existsSync(CHROMIUM) ? null
  : `Chromium is not at ${CHROMIUM}: the report's browser tests need it. Install it with \`apt-get install -y chromium\` (.ci/run does), or set COPYSPEC_CHROMIUM to a Chromium or Chrome binary.`;

/** The browser, or the failure that says how to get one: every test here fails without it, none is skipped. */
function browser(): BrowserContext {
  if (missing !== null) throw new Error(missing);
  return context!;
}
let scratch: string;
let literalReport: string;
let broadReport: string;

/** Every lifecycle: its embodiment with the fewest pinned worlds, and every literal-defect variant, both checks, few runs. */
function broadResults(): CheckResult[] {
  return LIFECYCLES.flatMap((lifecycle) => {
    const [smallest] = Object.entries(lifecycle.pinned).sort(([, a], [, b]) => a.states - b.states).map(([name]) => name);
    const literal = lifecycle.variants.filter((v) => v.kind === 'literal-defect');
    return [
      exhaustive(lifecycle, smallest!, { maxStates: 2_000_000 }),
      modelBased(lifecycle, smallest!, { runs: 20, seed: 1, maxCommands: 200 }),
      ...literal.flatMap((v) => [errataSearch(lifecycle, v, 2_000_000), modelBased(lifecycle, v.name, { runs: 50, seed: 7, maxCommands: 200 })]),
    ];
  });
}

beforeAll(async () => {
  if (missing !== null) return;
  scratch = await mkdtemp(join(tmpdir(), 'copyspec-report-'));
  literalReport = join(scratch, 'literal');
  broadReport = join(scratch, 'broad');
  const quiet = { out: () => {}, err: () => {} };
  expect(await main(['verify', '--variant', 'literal-unguarded', '--report', literalReport], quiet)).toBe(1);
  const results = broadResults();
  await writeReport(broadReport, await buildReport(LIFECYCLES, { ok: false, seed: 1, results }, GENERATOR));
  context = await chromium.launchPersistentContext(join(scratch, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: VIEWPORT });
}, 240_000);

afterAll(async () => {
  await context?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

/** Opens a page and collects every console error and uncaught exception it raises. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser().newPage();
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => { errors.push(error.message); });
  await page.goto(`file://${path}`);
  return { page, errors };
}

interface Measured {
  readonly diagram: string;
  readonly labels: number;
  readonly problems: string[];
}

/** In the browser: every diagram label's drawn box, checked inside its picture, apart from the others, and readable. */
async function measureDiagrams(page: Page): Promise<Measured[]> {
  return page.$$eval('svg.diagram', (svgs, minimum) => svgs.map((svg) => {
    const frame = svg.getBoundingClientRect();
    const boxes = [...svg.querySelectorAll('text')].map((t) => ({ text: t.textContent ?? '', box: t.getBoundingClientRect() }));
    const problems: string[] = [];
    for (const { text, box } of boxes) {
      if (box.height < minimum) problems.push(`'${text}' is ${box.height.toFixed(1)} px high`);
      if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1) problems.push(`'${text}' leaves the picture`);
    }
    boxes.forEach((a, i) => {
      for (const b of boxes.slice(i + 1)) {
        const x = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const y = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        if (x > 1 && y > 1) problems.push(`'${a.text}' overlaps '${b.text}'`);
      }
    });
    return { diagram: svg.getAttribute('data-diagram') ?? '', labels: boxes.length, problems };
  }), READABLE_PX);
}

describe('report: in Chromium', () => {
  beforeEach(() => { browser(); });

  test('report: browser: every page loads with no console error', async () => {
    for (const folder of [literalReport, broadReport]) {
      const pages = (await readdir(folder)).filter((name) => name.endsWith('.html'));
      expect(pages.length).toBeGreaterThan(LIFECYCLES.length + 2);
      for (const name of pages) {
        const { page, errors } = await open(join(folder, name));
        expect(errors, `${folder}/${name}`).toEqual([]);
        await page.close();
      }
    }
  }, 240_000);

  test('report: browser: every machine of every lifecycle is drawn, every label readable at 1280x800, none outside its picture or over another', async () => {
    for (const lifecycle of LIFECYCLES) {
      const { page } = await open(join(broadReport, `${lifecycle.id}.html`));
      const measured = await measureDiagrams(page);
      expect(measured.map((m) => m.diagram)).toEqual(lifecycle.machines.map((m) => m.name));
      for (const m of measured) {
        expect(m.labels, m.diagram).toBeGreaterThan(3);
        expect(m.problems, m.diagram).toEqual([]);
      }
      await page.close();
    }
  }, 120_000);

  test('report: browser: the in-browser label check finds the overlaps and the labels off the picture of the diagram as it was before issue 13', async () => {
    const before = await toSvg(await readFile('test/fixtures/mirror-pair-before-issue-13.dot', 'utf8'));
    const planted = join(scratch, 'planted.html');
    await writeFile(planted, `<!doctype html><html><body>${inlineSvg(before, 'before')}</body></html>`);
    const { page } = await open(planted);
    const [measured] = await measureDiagrams(page);
    expect(measured!.problems.filter((p) => p.includes(' overlaps ')).length).toBeGreaterThan(0);
    expect(measured!.problems.filter((p) => p.includes(' leaves the picture')).length).toBeGreaterThan(0);
    await page.close();
  });

  test('report: browser: clicking a state shows its panel, Enter on a focused transition shows its own, Escape closes it', async () => {
    const { page } = await open(join(literalReport, 'mirror-pair.html'));
    const panel = page.locator('#panel');
    await expect.poll(() => panel.isHidden()).toBe(true);
    await page.click('#a_mirror-pair--s-suspended--name a');
    expect(await panel.isVisible()).toBe(true);
    expect(await panel.locator('h2').textContent()).toBe('suspended');
    expect(await panel.textContent()).toContain('frozen-secondary');
    expect(await page.locator('#mirror-pair--s-suspended').getAttribute('class')).toContain('selected');
    await page.keyboard.press('Escape');
    expect(await panel.isHidden()).toBe(true);
    const literal = page.locator('svg.diagram a', { hasText: 'pair.suspend [literalGuards]' }).first();
    await literal.focus();
    await page.keyboard.press('Enter');
    expect(await panel.locator('h2').textContent()).toBe('pair.suspend [literalGuards]');
    expect(await panel.textContent()).toMatch(/literal flow/);
    expect(await panel.textContent()).toMatch(/literal-unguarded: taken/);
    await page.close();
  });

  test('report: browser: the trace player steps through the 3-step literal-unguarded counterexample on the mirror-pair diagram', async () => {
    const { page, errors } = await open(join(literalReport, 'trace--mirror-pair--literal-unguarded--exhaustive--frozen-secondary.html'));
    const current = async (): Promise<string[]> => page.$$eval('svg.diagram g.node.current', (nodes) => nodes.map((n) => n.id));
    const step = async (): Promise<string | null> => page.getAttribute('body', 'data-step');
    expect([await step(), ...(await current())]).toEqual(['0', 'mirror-pair--s-separated']);
    const expected = [['1', 'mirror-pair--s-separated'], ['2', 'mirror-pair--s-mirror.syncing'], ['3', 'mirror-pair--s-suspended']];
    for (const [index, state] of expected) {
      await page.keyboard.press('ArrowRight');
      expect([await step(), ...(await current())]).toEqual([index, state]);
      const visible = await page.$eval(`[id="${state}"]`, (node) => {
        const box = node.closest('.diagram-box')!.getBoundingClientRect();
        const at = node.getBoundingClientRect();
        return at.top >= box.top && at.bottom <= box.bottom && at.left >= box.left && at.right <= box.right;
      });
      expect(visible, `${state} is scrolled into view`).toBe(true);
    }
    expect(await page.locator('#step-detail').textContent()).toContain('violated: frozen-secondary');
    expect(await page.locator('#grids .cell.differs').count()).toBe(3);
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe('3');
    await page.keyboard.press('ArrowLeft');
    expect([await step(), ...(await current())]).toEqual(['2', 'mirror-pair--s-mirror.syncing']);
    await page.click('button[data-go="next"]');
    expect(await step()).toBe('3');
    expect(await page.$$eval('g.taken', (nodes) => nodes.map((n) => n.id))).toContain('a_mirror-pair--t14');
    expect((await measureDiagrams(page)).flatMap((m) => m.problems)).toEqual([]);
    await mkdir('docs/report', { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(errors).toEqual([]);
    await page.close();
  });
});
