// First load of a page (cold cache), as Debian's Chromium sees it: bytes on the wire (every response's
// encoded length, headers included, from the DevTools protocol) and the time until the WebAssembly
// bundle has hydrated the page (it attaches its event handlers), from the navigation's start. Several
// runs, each in a fresh browser context; prints JSON, one entry per page.
//
//   node bench/first-load.mjs http://127.0.0.1:3000 [runs]
//
// PAGES (default `/login`) is a comma-separated list of paths; any but `/login` is opened signed in
// as the demo user (signed in through the form first, then the page loaded with the cache disabled).
//
// With THROTTLE_MBPS=10 (and LATENCY_MS, default 40) the browser's network is throttled to that
// bandwidth and round-trip time, as a user behind an ordinary link would load the page.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'end2end', 'package.json'));
const { chromium } = require('@playwright/test');

const base = process.argv[2];
const runs = Number(process.argv[3] ?? 5);
const throttleMbps = Number(process.env.THROTTLE_MBPS ?? 0);
const latencyMs = Number(process.env.LATENCY_MS ?? 40);
if (!base) throw new Error('usage: node bench/first-load.mjs <base-url> [runs]');

const PROBE = `(() => {
  const add = EventTarget.prototype.addEventListener;
  const kinds = new Set(['submit', 'click', 'change', 'input']);
  window.__hydratedAt = null;
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    if (window.__hydratedAt === null && kinds.has(type) && String(new Error().stack).includes('/pkg/')) {
      window.__hydratedAt = performance.now();
    }
    return add.call(this, type, ...rest);
  };
})();`;

const pages = (process.env.PAGES ?? '/login').split(',').map((p) => p.trim()).filter(Boolean);

async function signIn(context) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(process.env.DEMO_USER ?? 'demo');
  await page.getByLabel('Password').fill(process.env.DEMO_PASSWORD ?? 'demo-portal-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await page.close();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const report = [];
for (const target of pages) {
const results = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  if (target !== '/login') await signIn(context);
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttleMbps > 0) {
    const bytesPerSecond = (throttleMbps * 1_000_000) / 8;
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: latencyMs,
      downloadThroughput: bytesPerSecond,
      uploadThroughput: bytesPerSecond,
    });
  }
  const sizes = new Map();
  cdp.on('Network.responseReceived', (e) => sizes.set(e.requestId, { url: e.response.url, bytes: 0,
    encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '' }));
  cdp.on('Network.loadingFinished', (e) => { const s = sizes.get(e.requestId); if (s) s.bytes = e.encodedDataLength; });
  await page.goto(`${base}${target}`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__hydratedAt !== null, undefined, { timeout: 30_000 });
  const hydratedMs = await page.evaluate(() => window.__hydratedAt);
  await page.waitForLoadState('networkidle');
  const files = [...sizes.values()].map((s) => ({ path: new URL(s.url).pathname, bytes: s.bytes, encoding: s.encoding }));
  results.push({ bytes: files.reduce((a, f) => a + f.bytes, 0), hydratedMs: Math.round(hydratedMs), files });
  await context.close();
}
report.push({
  page: target,
  runs,
  network: throttleMbps > 0 ? `${throttleMbps} Mbit/s, ${latencyMs} ms` : 'loopback',
  bytesOnWire: median(results.map((r) => r.bytes)),
  hydratedMsMedian: median(results.map((r) => r.hydratedMs)),
  hydratedMsAll: results.map((r) => r.hydratedMs),
  files: results[0].files,
});
}
await browser.close();
console.log(JSON.stringify(pages.length === 1 ? report[0] : report, null, 2));
