import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';

/**
 * The HTML report as a person opens it: Debian's headless Chromium loads the page from disk with no
 * network and must show it whole: no console error, every picture drawn, every player decoding its
 * audio, the three players different, nothing fetched. A screenshot is left in test-output/.
 * Under CI (CI=true) a missing browser fails the test: .ci/run installs it.
 */
const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'test-output');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const S = (f: string): string => join(ROOT, 'samples', f);
const present = existsSync(CHROMIUM);

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await run(argv, { stdout: () => {}, stderr: (s) => (err += s), isTTY: false });
  return { code, err };
}

interface PageCheck {
  consoleErrors: string[];
  requests: string[];
  images: { alt: string; complete: boolean; width: number; height: number }[];
  audio: { duration: number; error: string | null; src: number }[];
  distinctAudio: number;
  headings: string[];
}

describe.skipIf(!present && process.env.CI !== 'true')('HTML report in headless Chromium', () => {
  let browser: Browser;
  const profile = mkdtempSync(join(tmpdir(), 'sd-chromium-'));

  beforeAll(async () => {
    if (!present) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
    mkdirSync(OUT, { recursive: true });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  /** Open a report and read what a person would see and hear. */
  async function open(file: string, screenshot: string): Promise<PageCheck> {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url().slice(0, 80)}`));
    page.on('request', (r) => requests.push(r.url().slice(0, 80)));
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
    const check = await page.evaluate(async () => {
      const images = [...document.images].map((img) => ({ alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight }));
      const players = [...document.querySelectorAll('audio')];
      const audio = await Promise.all(
        players.map(
          (a) =>
            new Promise<{ duration: number; error: string | null; src: number }>((resolve) => {
              const done = (): void => resolve({ duration: a.duration, error: a.error ? `${a.error.code} ${a.error.message}` : null, src: a.src.length });
              if (a.readyState >= 1) return done();
              a.addEventListener('loadedmetadata', done, { once: true });
              a.addEventListener('error', done, { once: true });
              a.load();
            }),
        ),
      );
      return {
        images,
        audio,
        distinctAudio: new Set(players.map((a) => a.src)).size,
        headings: [...document.querySelectorAll('h2')].map((h) => h.textContent ?? ''),
      };
    });
    await page.screenshot({ path: join(OUT, screenshot), fullPage: true });
    await page.close();
    return { ...check, consoleErrors, requests };
  }

  function expectWhole(c: PageCheck): void {
    expect(c.consoleErrors).toEqual([]);
    // Only the page itself is loaded from disk; everything else is inside it.
    expect(c.requests.filter((u) => !u.startsWith('data:'))).toHaveLength(1);
    expect(c.requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
    expect(c.headings).toEqual(['Listen to the top 3', 'Ranked candidates', 'Pictures', 'How each field was decided (rank 1)', 'Export', 'Notes']);
    for (const img of c.images) {
      expect(img.complete, img.alt).toBe(true);
      expect(img.width, img.alt).toBeGreaterThan(0);
      expect(img.height, img.alt).toBeGreaterThan(0);
    }
    expect(c.audio).toHaveLength(3);
    for (const a of c.audio) {
      expect(a.error).toBeNull();
      expect(a.duration).toBeGreaterThan(0);
      expect(Number.isFinite(a.duration)).toBe(true);
    }
    expect(c.distinctAudio).toBe(3);
  }

  it('the sample pair: labelled charts drawn, three candidates playable and different', async () => {
    const file = join(OUT, 'report.html');
    const r = await cli('analyze', S('librosa-default.mag'), S('librosa-default.phase'), '--report', file);
    expect(r.code, r.err).toBe(0);
    const c = await open(file, 'report.png');
    expectWhole(c);
    expect(c.images.map((i) => i.alt)).toEqual([
      'consistency of each candidate (dB)',
      'spectrogram of the decoded input',
      'window imprint',
      'waveform of the rank-1 excerpt',
    ]);
    // The spectrogram is drawn at least 800 px wide.
    expect(c.images[1].width).toBeGreaterThanOrEqual(800);
  }, 120_000);

  it('magnitude-only input: three retrieved-phase excerpts play', async () => {
    const file = join(OUT, 'report-magnitude-only.html');
    const r = await cli('analyze', S('librosa-default.mag'), '--report', file);
    expect(r.code, r.err).toBe(0);
    const c = await open(file, 'report-magnitude-only.png');
    expectWhole(c);
    // No phase: no imprint picture, the other three drawn.
    expect(c.images).toHaveLength(3);
  }, 120_000);
});
