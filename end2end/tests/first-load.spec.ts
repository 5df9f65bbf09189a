// The size guard: what a new visitor's browser downloads to show the sign-in page, cold cache, every
// response's bytes on the wire (headers included) as Chromium's DevTools protocol counts them, stays
// within the budget. A size, not a time: sizes are stable from run to run, so that a page added to
// the portal cannot quietly make every page heavier (docs/PERFORMANCE.md, "What the browser downloads").
import { expect, portalTest, waitForHydration } from './support/portal';

const { test } = portalTest('first-load');

/** The budget of the first load of `/login`: the figure of 2026-12-07 (597,827 bytes, docs/PERFORMANCE.md)
 * and 10 % more. It comes down to the goal's (300 KB and 10 %) as the pages stop shipping code they do
 * not run (issue "Lean and fast"). */
const LOGIN_BUDGET_BYTES = 658_000;

test('the first load of the sign-in page stays within its budget', async ({ page, context }) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, new URL(e.response.url).pathname));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  await page.goto('/login');
  await waitForHydration(page);
  await page.waitForLoadState('networkidle');

  const files = [...urls].map(([id, path]) => ({ path, bytes: bytes.get(id) ?? 0 }));
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const listing = files.map((f) => `  ${f.path}: ${f.bytes}`).join('\n');
  // The bundle came compressed and was counted: a guard that counts nothing cannot fail.
  expect(files.some((f) => f.path.endsWith('.wasm') && f.bytes > 10_000), `the bundle was downloaded:\n${listing}`).toBe(true);
  expect(total, `the first load of /login is ${total} bytes (budget ${LOGIN_BUDGET_BYTES}):\n${listing}`).toBeLessThanOrEqual(LOGIN_BUDGET_BYTES);
});
