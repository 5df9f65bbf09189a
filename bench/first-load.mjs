// First load of the sign-in page by a new visitor (cold cache), as Debian's Chromium sees it: bytes on
// the wire (every response's encoded length, headers included, from the DevTools protocol) and the
// time until the WebAssembly bundle has hydrated the page (it attaches its event handlers), from the
// navigation's start. Several runs, each in a fresh browser context; prints JSON.
//
//   node bench/first-load.mjs http://127.0.0.1:3000 [runs]
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

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
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
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__hydratedAt !== null, undefined, { timeout: 30_000 });
  const hydratedMs = await page.evaluate(() => window.__hydratedAt);
  await page.waitForLoadState('networkidle');
  const files = [...sizes.values()].map((s) => ({ path: new URL(s.url).pathname, bytes: s.bytes, encoding: s.encoding }));
  results.push({ bytes: files.reduce((a, f) => a + f.bytes, 0), hydratedMs: Math.round(hydratedMs), files });
  await context.close();
}
await browser.close();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(JSON.stringify({
  runs,
  network: throttleMbps > 0 ? `${throttleMbps} Mbit/s, ${latencyMs} ms` : 'loopback',
  bytesOnWire: median(results.map((r) => r.bytes)),
  hydratedMsMedian: median(results.map((r) => r.hydratedMs)),
  hydratedMsAll: results.map((r) => r.hydratedMs),
  files: results[0].files,
}, null, 2));
