// Alerts: the navigation's badge counts what needs attention, the Alerts page lists it most severe
// first (the demo's West pool is short of A9K-100G-LIC), each alert links to the place to act, and
// the filters are a GET form. With and without JavaScript; a pool viewer sees only their pool's.
import { DEMO, VIEWER, expect, portalTest, signIn, waitForHydration } from './support/portal';
import type { Locator, Page } from '@playwright/test';

const { test } = portalTest('alerts');

const NAME = 'ASR 9000 100GE port license';

function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' });
}

function alertsTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Alerts' });
}

/** The rows of alerts of `kind` in the virtual account `pool`. */
function alertRows(page: Page, kind: string, pool: string): Locator {
  return alertsTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${kind}`) }) })
    .filter({ has: page.getByRole('cell', { name: pool, exact: true }) });
}

/** The count the navigation's badge announces ("Alerts (3 alerts)"). */
async function badgeCount(page: Page): Promise<number> {
  const link = nav(page).getByRole('link', { name: /^Alerts \(\d+ alerts?\)$/ });
  await expect(link).toBeVisible();
  await expect(link.locator('.badge')).toBeVisible();
  const text = (await link.textContent()) ?? '';
  const match = text.match(/\((\d+) alerts?\)/);
  expect(match, `badge text "${text}"`).not.toBeNull();
  return parseInt(match![1], 10);
}

/** Checks the page against the badge, then follows the West shortage's link to its license. */
async function followWestShortage(page: Page, count: number) {
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Alerts');
  // One row per alert, as many as the badge says.
  await expect(alertsTable(page).getByRole('rowheader')).toHaveCount(count);
  const short = alertRows(page, 'Insufficient Licenses', 'West');
  await expect(short).toHaveCount(1);
  await expect(short.getByRole('cell').first()).toHaveText('Major');
  await expect(short).toContainText('15 in use, 12 purchased: 3 short');
  await expect(short).toContainText('Now');
  // Major alerts come first.
  await expect(alertsTable(page).getByRole('row').nth(1).getByRole('cell').first()).toHaveText('Major');

  await short.getByRole('link', { name: NAME }).click();
  await expect(page).toHaveURL(/\/inventory\?va=\d+&tab=licenses&license=\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('West');
  await expect(page.getByRole('tab', { name: 'Licenses' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { level: 2, name: NAME })).toBeVisible();
}

test('an account admin sees the badge, the alerts and the place to act', async ({ page }) => {
  await signIn(page, DEMO);
  await waitForHydration(page);
  const count = await badgeCount(page);
  expect(count).toBeGreaterThan(0);
  await nav(page).getByRole('link', { name: /^Alerts/ }).click();
  await followWestShortage(page, count);
});

test('the filters narrow the list by severity and virtual account', async ({ page }) => {
  await signIn(page, DEMO);
  await waitForHydration(page);
  await nav(page).getByRole('link', { name: /^Alerts/ }).click();
  await expect(alertsTable(page)).toBeVisible();
  const main = page.getByRole('main');

  await main.getByLabel('Severity').selectOption({ label: 'Minor' });
  await main.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/severity=minor/);
  await expect(alertsTable(page).getByRole('cell', { name: 'Major', exact: true })).toHaveCount(0);
  await expect(alertRows(page, 'Insufficient Licenses', 'West')).toHaveCount(0);
  await expect(alertsTable(page).getByRole('cell', { name: 'Minor', exact: true }).first()).toBeVisible();

  await main.getByLabel('Severity').selectOption({ label: 'All severities' });
  await main.getByLabel('Virtual account').selectOption({ label: 'West' });
  await main.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/va=\d+/);
  await expect(alertsTable(page).getByRole('cell', { name: 'East', exact: true })).toHaveCount(0);
  await expect(alertRows(page, 'Insufficient Licenses', 'West')).toHaveCount(1);
});

test('a pool viewer sees no alerts of pools they were not given', async ({ page }) => {
  await signIn(page, VIEWER);
  await waitForHydration(page);
  // Nothing needs attention in Lab: no badge.
  const link = nav(page).getByRole('link', { name: 'Alerts', exact: true });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Alerts');
  await expect(page.getByText('No alerts: nothing needs your attention.')).toBeVisible();
  await expect(page.getByText('Insufficient Licenses')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the badge, the list, the filters and the link work with plain HTML', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(DEMO.username);
    await page.getByLabel('Password').fill(DEMO.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/overview$/);
    const count = await badgeCount(page);
    await nav(page).getByRole('link', { name: /^Alerts/ }).click();
    // Scripts really are off: the app never hydrated the page.
    expect(await page.evaluate(() => (window as unknown as { __e2eListeners?: number }).__e2eListeners ?? 0)).toBe(0);
    await expect(alertsTable(page).getByRole('rowheader')).toHaveCount(count);

    const main = page.getByRole('main');
    await main.getByLabel('Severity').selectOption({ label: 'Major' });
    await main.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/severity=major/);
    await expect(alertRows(page, 'Insufficient Licenses', 'West')).toHaveCount(1);
    await main.getByLabel('Severity').selectOption({ label: 'All severities' });
    await main.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/severity=$/);

    // The page the filter form led back to is the full list again.
    await page.goto('/alerts');
    await followWestShortage(page, count);
  });
});
