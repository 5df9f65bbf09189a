// Resolve Shortages: the demo's West is 3 short of A9K-100G-LIC and East has 16 spare. From the
// Licenses tab, "Resolve Shortages…" shows the plan (license, from, to, quantity, balances after). A
// plan that changed meanwhile (someone transferred by hand in another tab) is refused with a message
// and nothing moves; the new plan's "Apply" clears the shortage and its alert.
import { DEMO, expect, portalTest, signIn, waitForHydration, withHydrationProbe } from './support/portal';
import type { Locator, Page } from '@playwright/test';

const { test } = portalTest('resolve-shortages');

const TAG = 'A9K-100G-LIC';
const NAME = 'ASR 9000 100GE port license';

function plan(page: Page): Locator {
  return page.getByRole('table', { name: 'Planned transfers' });
}

async function openLicenses(page: Page, pool: string) {
  await page.goto('/inventory');
  await waitForHydration(page);
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: pool });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Licenses' }).click();
  await expect(page.getByRole('table', { name: 'Licenses' })).toBeVisible();
}

function licenseRow(page: Page): Locator {
  return page
    .getByRole('table', { name: 'Licenses' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader').locator('code', { hasText: new RegExp(`^${TAG}$`) }) });
}

/** The plan's one transfer: From, To, Quantity, From Balance After, To Balance After. */
async function expectPlan(page: Page, cells: string[]) {
  const rows = plan(page).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1).getByRole('rowheader')).toHaveText(TAG);
  await expect(rows.nth(1).getByRole('cell')).toHaveText(cells);
}

test('a stale plan is refused; the new plan\'s Apply clears the shortage and its alert', async ({ page, context }) => {
  test.setTimeout(60_000);
  await signIn(page, DEMO);
  await page.goto('/alerts');
  await expect(page.getByRole('table', { name: 'Alerts' })).toContainText('Insufficient Licenses');

  await openLicenses(page, 'West');
  await page.getByRole('link', { name: 'Resolve Shortages…' }).click();
  await expect(page).toHaveURL(/\/resolve-shortages$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Resolve Shortages');
  await waitForHydration(page);
  await expectPlan(page, ['East', 'West', '3', '13', '0']);

  // Meanwhile, in another tab, 1 × 100GE goes from East to West by hand.
  const other = await withHydrationProbe(await context.newPage());
  await openLicenses(other, 'East');
  await licenseRow(other).getByRole('button', { name: 'Transfer…' }).click();
  const form = other.getByRole('region', { name: `Transfer ${NAME} (${TAG})` });
  await form.getByLabel('Target Virtual Account').selectOption({ label: 'West' });
  await form.getByLabel('Quantity').fill('1');
  await form.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(other.getByRole('status').filter({ hasText: 'transferred' })).toContainText('1 × A9K-100G-LIC transferred from East to West.');
  await other.close();

  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('alert')).toContainText('The licenses changed since this plan was made');
  await page.reload();
  await waitForHydration(page);
  await expectPlan(page, ['East', 'West', '2', '13', '0']);

  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status')).toHaveText('Applied 1 transfer.');
  await expect(page.getByText('No shortages in the virtual accounts you may change.')).toBeVisible();

  await page.goto('/alerts');
  await expect(page.getByRole('table', { name: 'Alerts' })).not.toContainText('Insufficient Licenses');
  await openLicenses(page, 'West');
  await expect(licenseRow(page)).not.toContainText('short');
  await expect(licenseRow(page).getByRole('cell').nth(3)).toHaveText('0');
});
