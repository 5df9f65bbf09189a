// The Overview, the page after sign-in: the demo's West shortage counted and linked to the place to
// act, the totals, usage over 90 days as a chart with its data behind "Show data", and "Resolve
// Shortages…" from here clears the shortage; a pool viewer's Overview holds their pool only.
import { DEMO, VIEWER, expect, portalTest, signIn, waitForHydration } from './support/portal';
import type { Locator, Page } from '@playwright/test';

const { test } = portalTest('overview');
test.describe.configure({ mode: 'serial' });

function pools(page: Page): Locator {
  return page.getByRole('table', { name: 'Virtual accounts overview' });
}

function poolRow(page: Page, name: string): Locator {
  return pools(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

test('the Overview counts the shortage, links to it, and charts 90 days', async ({ page }) => {
  await signIn(page, DEMO);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  await waitForHydration(page);
  const attention = page.getByRole('region', { name: 'Needs Attention' });
  await expect(attention.getByRole('definition').first()).toHaveText('1'); // Licenses short
  await expect(pools(page).getByRole('rowheader')).toHaveText(['Default', 'East', 'Lab', 'West', 'Total']);
  // Purchased, In Use, Instances, Short, …
  await expect(poolRow(page, 'West').getByRole('cell').nth(3)).toHaveText('1');

  // The chart: a picture described in words, and its numbers behind "Show data".
  const chart = page.getByRole('img', { name: /Licenses in use and purchased, last 90 days/ });
  await expect(chart).toBeVisible();
  const data = page.getByRole('table', { name: 'Licenses in use and purchased, last 90 days: data' });
  await expect(data).toBeHidden();
  await page.getByText('Show data').click();
  await expect(data).toBeVisible();
  await expect(data.getByRole('row')).toHaveCount(1 + 91); // header, 90 days and today

  await poolRow(page, 'West').getByRole('link', { name: '1 license short in West' }).click();
  await expect(page).toHaveURL(/\/inventory\?va=\d+&tab=licenses.*sort=alert/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('West');
  const first = page.getByRole('table', { name: 'Licenses' }).getByRole('row').nth(1);
  await expect(first).toContainText('A9K-100G-LIC');
  await expect(first).toContainText('short');
});

test("a license's detail charts its own 90 days in the virtual account", async ({ page }) => {
  await signIn(page, DEMO);
  await waitForHydration(page);
  await poolRow(page, 'East').getByRole('link', { name: 'East', exact: true }).click();
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Licenses' }).click();
  await page.getByRole('link', { name: 'ASR 9000 100GE port license' }).click();
  await expect(page.getByRole('heading', { name: 'Usage over the last 90 days' })).toBeVisible();
  await expect(page.getByRole('img', { name: /A9K-100G-LIC in this virtual account, last 90 days/ })).toBeVisible();
  await page.getByText('Show data').click();
  const data = page.getByRole('table', { name: 'A9K-100G-LIC in this virtual account, last 90 days: data' });
  await expect(data.getByRole('row')).toHaveCount(1 + 91);
  // Today first: East holds 40 and uses 24.
  await expect(data.getByRole('row').nth(1).getByRole('cell')).toHaveText(['40', '24']);
});

test('"Resolve Shortages…" on the Overview clears the shortage', async ({ page }) => {
  await signIn(page, DEMO);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Resolve Shortages…' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Resolve Shortages');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status')).toHaveText('Applied 1 transfer.');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  await expect(poolRow(page, 'West').getByRole('cell').nth(3)).toHaveText('0');
  await expect(page.getByRole('link', { name: 'Resolve Shortages…' })).toHaveCount(0);
});

test('a pool viewer sees their pool only, and no way to resolve', async ({ page }) => {
  await signIn(page, VIEWER);
  await expect(pools(page).getByRole('rowheader')).toHaveText(['Lab', 'Total']);
  await expect(page.getByRole('link', { name: 'Resolve Shortages…' })).toHaveCount(0);
});
