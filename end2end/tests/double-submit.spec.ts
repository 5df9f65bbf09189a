// Every state-changing form is safe to submit twice: a double or triple click changes once (the
// button is disabled while its request runs, and the server answers a repeat of the same one-time
// form id with the first answer), and the page keeps working (no panic: the fixture watches the
// console of every page). The Account page hydrates without a panic however often it is loaded.
import { DEMO, expect, openInventory, portalTest, signIn, waitForHydration } from './support/portal';
import type { Locator, Page } from '@playwright/test';

const { test } = portalTest('double-submit');
test.describe.configure({ mode: 'serial' });

const TAG = 'A9K-100G-LIC';
const NAME = 'ASR 9000 100GE port license';

async function openTab(page: Page, pool: string, tab: string) {
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: pool });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: tab }).click();
  await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
}

function licenseRow(page: Page, tag: string): Locator {
  return page
    .getByRole('table', { name: 'Licenses' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader').locator('code', { hasText: new RegExp(`^${tag}$`) }) });
}

async function balance(page: Page, tag: string): Promise<number> {
  return parseInt((await licenseRow(page, tag).getByRole('cell').nth(3).innerText()).replace(/,/g, ''), 10);
}

test.beforeEach(async ({ page }) => {
  await signIn(page, DEMO);
  await waitForHydration(page);
});

test('the Account page hydrates cleanly, 30 loads in a row', async ({ page }) => {
  for (let i = 0; i < 30; i++) {
    await page.goto('/account');
    await waitForHydration(page);
  }
  // Hydrated, its buttons work: two-factor set-up shows the secret and the QR code.
  await page.getByRole('button', { name: 'Set Up Two-Factor Sign-in' }).click();
  await expect(page.getByRole('img', { name: 'QR code of the two-factor secret' })).toBeVisible();
  await expect(page.getByLabel('Secret')).toHaveText(/^[A-Z2-7]{16,}$/);
});

for (const clicks of [2, 3]) {
  test(`Transfer… clicked ${clicks} times moves once`, async ({ page }) => {
    await openInventory(page);
    await openTab(page, 'East', 'Licenses');
    const before = await balance(page, TAG);
    await licenseRow(page, TAG).getByRole('button', { name: 'Transfer…' }).click();
    const form = page.getByRole('region', { name: `Transfer ${NAME} (${TAG})` });
    await form.getByLabel('Target Virtual Account').selectOption({ label: 'West' });
    await form.getByLabel('Quantity').fill('1');
    await form.getByRole('button', { name: 'Transfer', exact: true }).click({ clickCount: clicks, delay: 10 });
    await expect(page.getByRole('status').filter({ hasText: 'transferred' })).toHaveText(
      `1 × ${TAG} transferred from East to West.`,
    );
    await expect.poll(() => balance(page, TAG)).toBe(before - 1);
    await page.waitForTimeout(500);
    await page.reload();
    await expect.poll(() => balance(page, TAG)).toBe(before - 1);
  });
}

test('Transfer Several… double-clicked moves once', async ({ page }) => {
  await openInventory(page);
  await openTab(page, 'East', 'Licenses');
  const before = await balance(page, TAG);
  await page.getByRole('button', { name: 'Transfer Several…' }).click();
  const form = page.getByRole('region', { name: 'Transfer several licenses' });
  await form.getByLabel('Target Virtual Account').selectOption({ label: 'West' });
  await form.getByLabel(new RegExp(`^Quantity of .*${TAG}`)).fill('1');
  await form.getByRole('button', { name: 'Transfer', exact: true }).dblclick();
  await expect.poll(() => balance(page, TAG), { timeout: 10_000 }).toBe(before - 1);
  await page.waitForTimeout(500);
  await page.reload();
  await expect.poll(() => balance(page, TAG)).toBe(before - 1);
});

test('New Token… double-clicked creates one token', async ({ page }) => {
  await openInventory(page);
  await openTab(page, 'East', 'General');
  const description = `double ${Date.now()}`;
  await page.getByRole('region', { name: 'Registration Tokens' }).getByRole('link', { name: 'New Token…' }).click();
  const form = page.getByRole('region', { name: 'New Token' });
  await form.getByRole('textbox', { name: 'Description' }).fill(description);
  await form.getByRole('button', { name: 'Create Token' }).dblclick();
  await expect(page.getByRole('group', { name: 'New token' }).getByRole('status').first()).toHaveText(
    `Token "${description}" created.`,
  );
  await page.waitForTimeout(500);
  await page.reload();
  await expect(page.getByRole('table', { name: 'Registration tokens' }).getByRole('row').filter({ hasText: description })).toHaveCount(1);
});

test('New API Key… double-clicked makes one key, and the list keeps working', async ({ page }) => {
  await page.goto('/api-keys');
  await waitForHydration(page);
  const name = `double-${Date.now()}`;
  await page.getByRole('link', { name: 'New API Key…' }).click();
  const form = page.getByRole('region', { name: 'New API Key' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Create API Key' }).dblclick();
  const panel = page.getByRole('group', { name: 'New API key' });
  await expect(panel.getByRole('textbox', { name: `API key ${name}` })).toHaveValue(/^lp_\S+$/);
  const rows = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: name });
  await expect(rows).toHaveCount(1);
  await page.reload();
  await expect(rows).toHaveCount(1);
});

test('Create Virtual Account double-clicked creates one, with no error', async ({ page }) => {
  await page.goto('/virtual-accounts');
  await waitForHydration(page);
  const name = `Double ${Date.now()}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create Virtual Account' }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: name })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(1);
});
