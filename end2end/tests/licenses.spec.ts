// Inventory → Licenses: purchased, in use and balance per license of the demo estate; Transfer… moves
// licenses to another virtual account, refuses more than can move, and both pools' balances and
// Event Logs show the move. The tests build on each other, so they run in order on one server.
import { DEMO, VIEWER, expect, openInventory, portalTest, signIn, waitForHydration } from './support/portal';
import type { Locator, Page } from '@playwright/test';

const { test } = portalTest('licenses');
test.describe.configure({ mode: 'serial' });

const TAG = 'A9K-100G-LIC';
const NAME = 'ASR 9000 100GE port license';

function licenseTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Licenses' });
}

/** The row of the license whose tag is `tag`. */
function licenseRow(page: Page, tag: string): Locator {
  return licenseTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader').locator('code', { hasText: new RegExp(`^${tag}$`) }) });
}

/** Purchased, In Use and Balance of a row, as numbers. */
async function counts(row: Locator): Promise<[number, number, number]> {
  const cells = row.getByRole('cell');
  const n = async (i: number) => parseInt((await cells.nth(i).innerText()).trim(), 10);
  return [await n(1), await n(2), await n(3)];
}

/** Picks `pool` in the header's selector and opens its Licenses tab. */
async function openLicenses(page: Page, pool: string) {
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: pool });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Licenses' }).click();
  await expect(page.getByRole('tab', { name: 'Licenses' })).toHaveAttribute('aria-selected', 'true');
  await expect(licenseTable(page)).toBeVisible();
}

/** The Event column of the pool's Event Log, filtered by `text`. */
async function events(page: Page, text: string): Promise<Locator> {
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Event Log' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(text);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/tab=events.*q=/);
  return page.getByRole('tabpanel').getByRole('table').getByRole('row').locator('td:nth-child(4)');
}

function transferForm(page: Page): Locator {
  return page.getByRole('region', { name: `Transfer ${NAME} (${TAG})` });
}

test.describe('an account admin', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, DEMO);
    await waitForHydration(page);
  });

  test('sees purchased, in use, balance and alerts per license', async ({ page }) => {
    await openLicenses(page, 'East');
    for (const header of ['Purchased', 'In Use', 'Balance']) {
      await expect(licenseTable(page).getByRole('columnheader', { name: header, exact: true })).toBeVisible();
    }
    expect(await counts(licenseRow(page, TAG))).toEqual([40, 24, 16]);
    await expect(licenseRow(page, 'XR-SW-ESS')).toContainText('Expiring in 20 days');

    await openLicenses(page, 'West');
    const short = licenseRow(page, TAG);
    expect(await counts(short)).toEqual([12, 15, -3]);
    await expect(short).toContainText('Insufficient Licenses');
    await expect(licenseRow(page, 'XR-SW-ESS')).toContainText('Expired');

    // Sorting by a header and searching are plain links and GET forms.
    await licenseTable(page).getByRole('link', { name: 'Balance', exact: true }).click();
    await expect(page).toHaveURL(/sort=balance/);
    await expect(licenseTable(page).getByRole('columnheader', { name: 'Balance', exact: true })).toHaveAttribute('aria-sort', 'ascending');
    await expect(licenseTable(page).getByRole('rowheader').first()).toContainText(TAG);
    await page.getByRole('searchbox', { name: 'Search' }).fill('broadband');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(licenseTable(page).getByRole('rowheader')).toHaveCount(1);
    await expect(licenseTable(page).getByRole('rowheader')).toContainText('A9K-BNG-LIC-8K');
  });

  test('the transfer form refuses more than can move', async ({ page }) => {
    await openLicenses(page, 'East');
    await licenseRow(page, TAG).getByRole('button', { name: 'Transfer…' }).click();
    const form = transferForm(page);
    await expect(form).toBeVisible();
    await expect(form).toContainText('At most 16 can move');
    await form.getByLabel('Target Virtual Account').selectOption({ label: 'West' });
    const quantity = form.getByLabel('Quantity');
    await quantity.fill('17');
    await form.getByRole('button', { name: 'Transfer', exact: true }).click();
    // The browser refuses it first (max = what can move)…
    expect(await quantity.evaluate((el: HTMLInputElement) => el.validity.rangeOverflow)).toBe(true);
    await expect(page).toHaveURL(/transfer=\d+/);

    // …and the server refuses it too, naming the field, when the browser's check is bypassed.
    await quantity.evaluate((el: HTMLInputElement) => el.removeAttribute('max'));
    await form.getByRole('button', { name: 'Transfer', exact: true }).click();
    await expect(form.locator('#transfer-quantity-error')).toHaveText('At most 16 can move.');
    await expect(quantity).toHaveAttribute('aria-invalid', 'true');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect(transferForm(page)).toHaveCount(0);
    expect(await counts(licenseRow(page, TAG))).toEqual([40, 24, 16]);
  });

  test('transferring 2 licenses changes both balances and both Event Logs', async ({ page }) => {
    await openLicenses(page, 'East');
    await licenseRow(page, TAG).getByRole('button', { name: 'Transfer…' }).click();
    const form = transferForm(page);
    await form.getByLabel('Target Virtual Account').selectOption({ label: 'West' });
    await form.getByLabel('Quantity').fill('2');
    await form.getByRole('button', { name: 'Transfer', exact: true }).click();

    await expect(page.getByRole('status').filter({ hasText: 'transferred' })).toHaveText(
      `2 × ${TAG} transferred from East to West.`,
    );
    await expect(transferForm(page)).toHaveCount(0);
    await expect.poll(() => counts(licenseRow(page, TAG))).toEqual([38, 24, 14]);
    await expect((await events(page, TAG)).first()).toHaveText(`2 × ${TAG} transferred to "West"`);

    await openLicenses(page, 'West');
    expect(await counts(licenseRow(page, TAG))).toEqual([14, 15, -1]);
    await expect((await events(page, TAG)).first()).toHaveText(`2 × ${TAG} received from "East"`);
  });

  test('the license detail shows lots, usage per pool, instances and the transfer history', async ({ page }) => {
    await openLicenses(page, 'West');
    await licenseRow(page, TAG).getByRole('link', { name: NAME }).click();
    await expect(page).toHaveURL(/license=\d+/);
    await expect(page.getByRole('heading', { level: 2, name: NAME })).toBeVisible();
    const lots = page.getByRole('table', { name: 'Lots' });
    await expect(lots.getByRole('row').filter({ hasText: 'transfer from East' })).toContainText('Perpetual');
    await expect(page.getByRole('img', { name: /Usage of A9K-100G-LIC per virtual account/ })).toHaveAttribute(
      'aria-label',
      /East: 38 purchased, 24 in use; Lab: 2 purchased, 1 in use; West: 14 purchased, 15 in use/,
    );
    await expect(page.getByRole('table', { name: 'Product instances using it' }).getByRole('row')).toHaveCount(1 + 3);
    const history = page.getByRole('table', { name: 'Transfer history' }).getByRole('row');
    await expect(history).toHaveCount(2);
    await expect(history.nth(1)).toContainText('East');
    await expect(history.nth(1)).toContainText('demo');

    // In West the pool is short: nothing can move from here.
    await page.getByRole('button', { name: 'Transfer…' }).click();
    await expect(transferForm(page)).toContainText('At most 0 can move');
  });
});

test('a pool viewer sees the licenses but no Transfer… button', async ({ page }) => {
  await signIn(page, VIEWER);
  await waitForHydration(page);
  await openInventory(page);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Licenses' }).click();
  await expect(licenseTable(page)).toBeVisible();
  expect(await counts(licenseRow(page, TAG))).toEqual([2, 1, 1]);
  await expect(page.getByRole('button', { name: 'Transfer…' })).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the transfer form posts, shows the server\'s refusal and moves licenses', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(DEMO.username);
    await page.getByLabel('Password').fill(DEMO.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/overview$/);
    await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: 'East' });
    await page.getByRole('button', { name: 'Go' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('East');
    await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Licenses' }).click();
    // The earlier tests may have moved some already: start from what the row shows.
    const [purchased, inUse, balance] = await counts(licenseRow(page, TAG));
    expect(purchased - inUse).toBe(balance);
    // Scripts really are off: the app never hydrated the page.
    expect(await page.evaluate(() => (window as unknown as { __e2eListeners?: number }).__e2eListeners ?? 0)).toBe(0);

    await licenseRow(page, TAG).getByRole('button', { name: 'Transfer…' }).click();
    await expect(page).toHaveURL(/transfer=\d+/);
    let form = transferForm(page);
    await form.getByLabel('Target Virtual Account').selectOption({ label: 'Lab' });
    await form.getByLabel('Quantity').fill(String(balance + 1));
    await form.getByLabel('Quantity').evaluate((el: HTMLInputElement) => el.removeAttribute('max'));
    await form.getByRole('button', { name: 'Transfer', exact: true }).click();
    form = transferForm(page);
    await expect(form.locator('#transfer-quantity-error')).toHaveText(`At most ${balance} can move.`);

    await form.getByLabel('Target Virtual Account').selectOption({ label: 'Lab' });
    await form.getByLabel('Quantity').fill('1');
    await form.getByRole('button', { name: 'Transfer', exact: true }).click();
    await expect(page).not.toHaveURL(/transfer=/);
    expect(await counts(licenseRow(page, TAG))).toEqual([purchased - 1, inUse, balance - 1]);
  });
});

