// A pool viewer (user "viewer", viewer of "Lab" only) sees only that pool and cannot change pools.
import { VIEWER, expect, openInventory, portalTest, signIn, waitForHydration } from './support/portal';

const { test } = portalTest('viewer');

test.beforeEach(async ({ page }) => {
  await signIn(page, VIEWER);
  await waitForHydration(page);
  await openInventory(page);
});

test('the viewer lands on Lab and the selector offers only Lab', async ({ page }) => {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lab');
  await expect(page).toHaveTitle('Lab · Acme Networks · Licensing Portal');
  await expect(page.getByLabel('Virtual Account', { exact: true }).getByRole('option')).toHaveText(['Lab']);
  await expect(page.getByRole('banner').getByText('viewer', { exact: true })).toBeVisible();
});

test('the viewer gets no controls to create, rename, delete or make default', async ({ page }) => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Virtual Accounts' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Virtual Accounts');
  const table = page.getByRole('table', { name: 'Virtual accounts' });
  await expect(table.getByRole('rowheader')).toHaveText(['Lab']);

  await expect(page.getByRole('button', { name: 'Create Virtual Account' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'New virtual account' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /^Rename/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /^Delete/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /default/ })).toHaveCount(0);
});

test('the viewer cannot open pools they do not see, nor the edit or delete views', async ({ page }) => {
  // East is pool 2 in the demo seed; the viewer must not see its name or contents.
  await page.goto('/inventory?va=2&tab=general');
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('East');
  await expect(page.getByText('East coast core and aggregation')).toHaveCount(0);

  const lab = await page.getByLabel('Virtual Account', { exact: true }).inputValue();
  await page.goto(`/virtual-accounts?edit=${lab}`);
  await expect(page.getByRole('textbox', { name: 'New name' })).toHaveCount(0);
  await page.goto(`/virtual-accounts?delete=${lab}`);
  await expect(page.getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);
});

test("the viewer's Event Log shows Lab's events and nothing from other pools", async ({ page }) => {
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Event Log' }).click();
  await expect(page.getByRole('tab', { name: 'Event Log' })).toHaveAttribute('aria-selected', 'true');
  const events = page.getByRole('tabpanel').getByRole('table').getByRole('row').locator('td:nth-child(4)');
  await expect(events.filter({ hasText: 'Virtual account "Lab" created' })).toHaveCount(1);
  for (const other of ['East', 'West', 'Default']) {
    await expect(events.filter({ hasText: other })).toHaveCount(0);
  }
  // Account-wide events (users added, pools deleted) are for account admins and users only.
  await expect(events.filter({ hasText: /^User "/ })).toHaveCount(0);
});
