// API keys (header → "API Keys") and the REST API /api/v1: a user makes a read-and-write key, copies
// it, calls the API with it and sees "Last Used" move; a read-only key limited to "Lab" sees only Lab
// and may not change anything; revoking the first key stops it at once; the footer's "API" link
// opens the API reference. The tests build on each other, so they run in order on one server.
import { DEMO, expect, portalTest, signIn, waitForHydration } from './support/portal';
import type { APIRequestContext, Locator, Page } from '@playwright/test';

const { test, portal } = portalTest('api-keys');
test.describe.configure({ mode: 'serial' });
test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const SYNC = 'inventory sync';
const LAB_ONLY = 'lab reader';
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

/** The keys made by the tests, in full. */
const keys = { sync: '', lab: '' };

/** The cells of a key row after its name (the row header). */
const CELL = { key: 0, scope: 1, pools: 2, owner: 3, created: 4, lastUsed: 5, expires: 6, state: 7 };

function keyTable(page: Page): Locator {
  return page.getByRole('table', { name: 'API keys' });
}

/** The row of the key named `name`. */
function keyRow(page: Page, name: string): Locator {
  return keyTable(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

/** Opens the API Keys page from the header's user menu. */
async function openApiKeys(page: Page) {
  await page.getByRole('link', { name: 'API Keys', exact: true }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API Keys');
  await waitForHydration(page);
}

/** Fills "New API Key…" and creates the key; returns the key as the panel shows it. */
async function createKey(
  page: Page,
  { name, scope, expires, pools }: { name: string; scope: string; expires: string; pools?: string[] },
): Promise<string> {
  await page.getByRole('link', { name: 'New API Key…' }).click();
  await expect(page).toHaveURL(/\/api-keys\?new=1/);
  const form = page.getByRole('region', { name: 'New API Key' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Scope').selectOption({ label: scope });
  await form.getByLabel('Expires').selectOption({ label: expires });
  const reach = form.getByRole('group', { name: 'Virtual Accounts' });
  await expect(reach.getByRole('radio', { name: 'All I can see' })).toBeChecked();
  if (pools) {
    await reach.getByRole('radio', { name: 'Only these:' }).check();
    for (const pool of pools) await reach.getByRole('checkbox', { name: pool, exact: true }).check();
  }
  await form.getByRole('button', { name: 'Create API Key' }).click();

  const panel = page.getByRole('group', { name: 'New API key' });
  await expect(panel.getByRole('status').first()).toHaveText(`API key "${name}" made. Copy it now: it is shown only once.`);
  const field = panel.getByRole('textbox', { name: `API key ${name}` });
  await expect(field).toHaveValue(/^lp_\S+$/);
  await expect(field).toHaveAttribute('readonly', '');
  await expect(page.getByRole('region', { name: 'New API Key' })).toHaveCount(0);
  return field.inputValue();
}

/** GET /api/v1/virtual-accounts with `key`. */
async function listPools(request: APIRequestContext, key: string) {
  return request.get(`${portal.url}/api/v1/virtual-accounts`, { headers: { Authorization: `Bearer ${key}` } });
}

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test.beforeEach(async ({ page }) => {
  await signIn(page, DEMO);
  await waitForHydration(page);
});

test('a new read-and-write key is shown once in full, copies to the clipboard and is listed as Active', async ({ page }) => {
  await openApiKeys(page);
  keys.sync = await createKey(page, { name: SYNC, scope: 'Read and write', expires: 'In 30 days' });
  expect(keys.sync.startsWith('lp_')).toBe(true);

  const panel = page.getByRole('group', { name: 'New API key' });
  await page.evaluate(() => navigator.clipboard.writeText('something else'));
  await panel.getByRole('button', { name: 'Copy the API key' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Copied' })).toHaveText('Copied');
  expect(await clipboard(page)).toBe(keys.sync);

  const row = keyRow(page, SYNC);
  await expect(row).toHaveCount(1);
  const cells = row.getByRole('cell');
  await expect(cells.nth(CELL.key)).toHaveText(/^lp_\S*…$/);
  expect(keys.sync.startsWith((await cells.nth(CELL.key).textContent())!.replace('…', ''))).toBe(true);
  await expect(row).not.toContainText(keys.sync);
  await expect(cells.nth(CELL.scope)).toHaveText('Read and write');
  await expect(cells.nth(CELL.pools)).toHaveText('All');
  await expect(cells.nth(CELL.owner)).toHaveText(DEMO.username);
  await expect(cells.nth(CELL.created)).toHaveText(DATE_TIME);
  await expect(cells.nth(CELL.lastUsed)).toHaveText('Never');
  await expect(cells.nth(CELL.expires)).toHaveText(DATE_TIME);
  await expect(cells.nth(CELL.state)).toHaveText('Active');
  const at = async (i: number) => Date.parse(`${(await cells.nth(i).textContent())!.replace(' UTC', '')}Z`);
  expect(await at(CELL.expires)).toBe((await at(CELL.created)) + 30 * 86_400_000);

  // "New API Key…" again, on the same page: the form opens for another key, and the key just shown
  // is put away.
  await page.getByRole('link', { name: 'New API Key…' }).click();
  await expect(page.getByRole('region', { name: 'New API Key' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'New API key' })).toHaveCount(0);
  await page.getByRole('region', { name: 'New API Key' }).getByRole('link', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  // Shown only once: after a reload the key is listed, but nowhere in full.
  await page.reload();
  await expect(keyRow(page, SYNC).getByRole('cell').nth(CELL.state)).toHaveText('Active');
  await expect(page.getByRole('group', { name: 'New API key' })).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(keys.sync);
});

test('the key lists the virtual accounts over the API, and its Last Used moves from Never', async ({ page, request }) => {
  expect(keys.sync, 'the key of the first test').not.toBe('');
  const res = await listPools(request, keys.sync);
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  expect(body.next).toBeNull();
  expect(body.data.map((p: { name: string }) => p.name)).toContain('East');

  await page.goto('/api-keys');
  await expect(keyRow(page, SYNC).getByRole('cell').nth(CELL.lastUsed)).toHaveText(DATE_TIME);
});

test('a read-only key limited to Lab sees only Lab and may not create a virtual account', async ({ page, request }) => {
  await openApiKeys(page);
  keys.lab = await createKey(page, { name: LAB_ONLY, scope: 'Read only', expires: 'In 90 days', pools: ['Lab'] });
  const cells = keyRow(page, LAB_ONLY).getByRole('cell');
  await expect(cells.nth(CELL.scope)).toHaveText('Read only');
  await expect(cells.nth(CELL.pools)).toHaveText('Lab');
  await expect(cells.nth(CELL.state)).toHaveText('Active');

  const listed = await listPools(request, keys.lab);
  expect(listed.status(), await listed.text()).toBe(200);
  expect((await listed.json()).data.map((p: { name: string }) => p.name)).toEqual(['Lab']);

  const created = await request.post(`${portal.url}/api/v1/virtual-accounts`, {
    headers: { Authorization: `Bearer ${keys.lab}` },
    data: { name: 'Made by a read-only key' },
  });
  expect(created.status(), await created.text()).toBe(403);
  const refusal = await created.json();
  expect(refusal.error.code).toBe('forbidden');
  expect(typeof refusal.error.message).toBe('string');
  expect(refusal.error.message).not.toBe('');

  // Nothing was made.
  const after = await listPools(request, keys.sync);
  expect((await after.json()).data.map((p: { name: string }) => p.name)).not.toContain('Made by a read-only key');
});

test('a revoked key is listed as Revoked and the API refuses it with 401', async ({ page, request }) => {
  expect(keys.sync, 'the key of the first test').not.toBe('');
  await openApiKeys(page);
  await keyRow(page, SYNC).getByRole('link', { name: `Revoke ${SYNC}` }).click();
  await expect(page).toHaveURL(/\/api-keys\?revoke=\d+/);
  const confirm = page.getByRole('group', { name: `Revoke ${SYNC}` });
  await expect(confirm).toContainText(`Revoke the API key "${SYNC}"?`);
  await expect(confirm.getByRole('link', { name: 'Cancel' })).toBeVisible();
  await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();

  const row = keyRow(page, SYNC);
  await expect(row.getByRole('cell').nth(CELL.state)).toHaveText('Revoked');
  await expect(row.getByRole('link', { name: `Revoke ${SYNC}` })).toHaveCount(0);
  await expect(page.getByRole('group', { name: `Revoke ${SYNC}` })).toHaveCount(0);
  // The other key is untouched.
  await expect(keyRow(page, LAB_ONLY).getByRole('cell').nth(CELL.state)).toHaveText('Active');

  const res = await listPools(request, keys.sync);
  expect(res.status(), await res.text()).toBe(401);
  expect((await res.json()).error.code).toBe('unauthorized');
  expect((await listPools(request, keys.lab)).status()).toBe(200);

  await page.reload();
  await expect(keyRow(page, SYNC).getByRole('cell').nth(CELL.state)).toHaveText('Revoked');
});

test('the footer link "API" opens the API reference', async ({ page }) => {
  await page.getByRole('contentinfo').getByRole('link', { name: 'API', exact: true }).click();
  await expect(page).toHaveURL(/\/api-reference$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API Reference');
  const operations = page.getByRole('navigation', { name: 'Operations' });
  await expect(operations.getByRole('link', { name: 'GET /api/v1/virtual-accounts', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'OpenAPI Document' })).toHaveAttribute('href', '/api/v1/openapi.json');
});
