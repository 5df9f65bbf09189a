// Everyday things a new customer meets: the Help page instead of repository files; an address of a
// virtual account the user cannot see says so; a transfer of product instances says beforehand which
// licenses the target would go short of; the account's own Event Log and its date range; new
// recovery codes, with the old ones refused.
import { DEMO, VIEWER, expect, portalTest, signIn, waitForHydration } from './support/portal';
import type { Page } from '@playwright/test';
import { totp } from './support/totp';

const { test } = portalTest('everyday');
test.describe.configure({ mode: 'serial' });

async function openInstance(page: Page, pool: string, hostname: string) {
  await page.goto('/inventory');
  await waitForHydration(page);
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: pool });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Product Instances' }).click();
  await page.getByRole('table', { name: 'Product instances' }).getByRole('link', { name: hostname, exact: true }).click();
  await expect(page.getByRole('heading', { name: hostname })).toBeVisible();
}

test('Help explains satellites, devices and the API, from the header', async ({ page }) => {
  await signIn(page, DEMO);
  await page.getByRole('link', { name: 'Help', exact: true }).click();
  await expect(page).toHaveURL(/\/help$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Help');
  for (const section of ['Satellites', 'How routers get their licenses', 'The REST API']) {
    await expect(page.getByRole('heading', { level: 2, name: section })).toBeVisible();
  }
  await expect(page.getByText(/docs\/SATELLITE\.md|PROTOCOL\.md/)).toHaveCount(0);
});

test('a virtual account the user cannot see is not shown silently under its address', async ({ page }) => {
  await signIn(page, DEMO);
  await page.goto('/inventory?va=999999');
  await expect(page.getByRole('status').filter({ hasText: 'not one you can see' })).toHaveText(
    'The virtual account asked for is not one you can see; showing Default.',
  );
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Default');
  // An address of a pool the user sees says nothing.
  await page.goto('/inventory');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Default');
  await expect(page.getByText('not one you can see')).toHaveCount(0);
});

test('moving an instance to a pool without its licenses says which go short, and by how much', async ({ page }) => {
  await signIn(page, DEMO);
  await openInstance(page, 'East', 'asr9k-nyc-core-01');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Transfer…' }).click();
  const form = page.getByRole('region', { name: 'Transfer asr9k-nyc-core-01' });
  await form.getByLabel('Target Virtual Account').selectOption({ label: 'Lab' });
  // Lab holds 2 × A9K-100G-LIC and uses 1: ten more leave it 9 short; it holds none of the rest.
  const warning = form.getByRole('status').filter({ hasText: 'out of compliance' });
  await expect(warning).toBeVisible();
  await expect(warning.getByRole('listitem')).toHaveText([
    'A9K-100G-LIC: 9 short',
    'A9K-AIP-LIC-E: 2 short',
    'A9K-MACSEC-LIC: 4 short',
    'XR-SW-ESS: 1 short',
  ]);
  await expect(warning.getByRole('link', { name: 'Resolve Shortages…' })).toHaveAttribute('href', '/resolve-shortages');
  // Default holds XR-SW-ESS aplenty but no 100GE: the list follows the choice.
  await form.getByLabel('Target Virtual Account').selectOption({ label: 'Default' });
  await expect(warning.getByRole('listitem').first()).toHaveText('A9K-100G-LIC: 10 short');
  await expect(warning.getByRole('listitem').filter({ hasText: 'XR-SW-ESS' })).toHaveCount(0);

  // In bulk too, before "Transfer" is pressed.
  await page.goto('/inventory');
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: 'East' });
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Product Instances' }).click();
  await waitForHydration(page);
  await page.getByRole('checkbox', { name: 'Select asr9k-bos-agg-01' }).check();
  await page.getByRole('checkbox', { name: 'Select asr9k-phl-agg-01' }).check();
  await page.getByRole('group', { name: 'Selected product instances' }).getByRole('button', { name: 'Transfer…' }).click();
  const confirm = page.getByRole('group', { name: 'Transfer selected product instances' });
  await confirm.getByLabel('Transfer 2 product instances to').selectOption({ label: 'Lab' });
  await expect(confirm.getByRole('status').getByRole('listitem')).toHaveText(['A9K-100G-LIC: 5 short', 'XR-SW-ESS: 2 short']);
  // Warned, the transfer still goes ahead when asked, and the focus follows it.
  await confirm.getByRole('button', { name: 'Transfer', exact: true }).click();
  const outcome = page.locator('.bulk-progress');
  await expect(outcome.getByRole('status')).toHaveText('Transferred 2 of 2 product instances.');
  await expect(outcome).toBeFocused();
});

test("the account's Event Log takes a date range and refuses one that ends before it starts", async ({ page }) => {
  await signIn(page, DEMO);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Event Log' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account Event Log');
  await waitForHydration(page);
  const table = page.getByRole('table', { name: 'Events, newest first' });
  await expect(table.getByRole('row').nth(1)).toBeVisible();
  const filters = page.getByRole('form', { name: 'Filter events' });
  await filters.getByLabel('From').fill('2030-01-10');
  await filters.getByLabel('To').fill('2030-01-01');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/from=2030-01-10/);
  await expect(page.getByText('The end date comes before the start date.')).toBeVisible();
  await filters.getByLabel('To').fill('2030-01-31');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/to=2030-01-31/);
  await expect(page.getByText('No events match.')).toBeVisible();
});

test('new recovery codes replace the old ones, with Download and Copy', async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto('/account');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Set Up Two-Factor Sign-in' }).click();
  const secret = (await page.getByLabel('Secret').textContent())!.trim();
  await page.getByLabel('Authentication Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn On' }).click();
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const old = (await codes.allTextContents()).map((c) => c.trim());

  await page.reload();
  await waitForHydration(page);
  await page.getByLabel('Code for New Recovery Codes').fill(old[0]);
  await page.getByRole('button', { name: 'New Recovery Codes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'New recovery codes made' })).toBeFocused();
  await expect(codes).toHaveCount(10);
  const fresh = (await codes.allTextContents()).map((c) => c.trim());
  expect(fresh.filter((c) => old.includes(c))).toEqual([]);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /^Download/ }).click();
  const text = await (await download).path().then((p) => require('node:fs').readFileSync(p, 'utf8'));
  for (const code of fresh) expect(text).toContain(code);
  await expect(page.getByRole('button', { name: /^Copy/ })).toBeVisible();

  // An old code no longer makes new ones.
  await page.reload();
  await waitForHydration(page);
  await page.getByLabel('Code for New Recovery Codes').fill(old[1]);
  await page.getByRole('button', { name: 'New Recovery Codes' }).click();
  await expect(page.getByText(/not right/)).toBeVisible();
});

test('after a submit the focus is on what happened, not on the page', async ({ page }) => {
  await signIn(page, DEMO);
  await page.goto('/virtual-accounts');
  await waitForHydration(page);
  await page.getByLabel('Name', { exact: true }).fill('Focus Check');
  await page.getByLabel('Name', { exact: true }).press('Enter');
  const done = page.getByRole('status').filter({ hasText: 'Virtual account "Focus Check" created.' });
  await expect(done).toBeVisible();
  await expect(done).toBeFocused();
});
