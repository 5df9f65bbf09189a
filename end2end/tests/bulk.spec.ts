// Work in bulk and the token misuse view, on the demo's Default pool (about 290 access routers
// registered with tokens): the remote-hands token's burst is flagged and one step revokes it and
// removes its devices; three ticked instances transfer to East; "Select all" takes every instance
// matching a search; "Transfer Several…" moves two licenses at once; "New Token…" makes a token for
// several virtual accounts at once.
import { DEMO, expect, portalTest, signIn, waitForHydration } from './support/portal';
import type { Locator, Page } from '@playwright/test';

const { test } = portalTest('bulk');
test.describe.configure({ mode: 'serial' });

async function openTab(page: Page, pool: string, tab: string) {
  await page.goto('/inventory');
  await waitForHydration(page);
  const option = pool === 'Default' ? 'Default (default)' : pool;
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: option });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: tab }).click();
  await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
}

function instances(page: Page): Locator {
  return page.getByRole('table', { name: 'Product instances' });
}

async function search(page: Page, text: string) {
  await page.getByRole('searchbox', { name: 'Search' }).fill(text);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${text}`));
  await expect(instances(page).getByRole('rowheader').first()).toContainText(text);
}

test.beforeEach(async ({ page }) => {
  await signIn(page, DEMO);
});

test('the token misuse view flags the burst; one step revokes the token and removes its devices', async ({ page }) => {
  await openTab(page, 'Default', 'General');
  const tokens = page.getByRole('table', { name: 'Registration tokens' });
  const remote = tokens.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Remote hands, Denver', exact: true }) });
  await remote.getByRole('link', { name: /^Devices of token/ }).click();
  await expect(page).toHaveURL(/\/tokens\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Token /);
  await waitForHydration(page);
  await expect(page.getByText('12 devices registered with this token; 12 flagged.')).toBeVisible();
  const table = page.getByRole('table', { name: 'Devices registered with the token' });
  const first = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'rtr-dnv-01', exact: true }) });
  await expect(first).toContainText('PID:C8300-1N1S-4T2X,SN:FDO27400001');
  await expect(first).toContainText('203.0.113.20');
  await expect(first).toContainText('Default');
  for (const flag of ['Burst', 'New product', 'New address range']) {
    await expect(first.getByText(flag, { exact: true })).toBeVisible();
  }
  // The flagged devices come ticked.
  await expect(first.getByRole('checkbox', { name: 'Select rtr-dnv-01' })).toBeChecked();
  await expect(page.getByText('12 selected.')).toBeVisible();

  await page.getByRole('button', { name: 'Revoke Token and Remove Devices…' }).click();
  const confirm = page.getByRole('group', { name: 'Revoke token and remove devices' });
  // A reason is required, and said so under its field.
  await confirm.getByRole('button', { name: 'Revoke and Remove' }).click();
  await expect(confirm.getByText('Say why the token is revoked.')).toBeVisible();
  await expect(confirm.getByRole('textbox', { name: 'Reason' })).toHaveAttribute('aria-invalid', 'true');
  await confirm.getByRole('textbox', { name: 'Reason' }).fill('Used for routers that are not ours');
  await confirm.getByRole('button', { name: 'Revoke and Remove' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Removed' })).toHaveText('Removed 12 of 12 product instances.');
  await expect(page.getByText('No device has registered with this token.')).toBeVisible();
  await expect(page.locator('dl.details')).toContainText('Revoked');

  // The Event Log says so, per instance.
  await openTab(page, 'Default', 'Event Log');
  await page.getByRole('searchbox', { name: 'Search' }).fill('rtr-dnv-05');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('tabpanel').getByRole('table').getByRole('row').nth(1)).toContainText(
    'Product instance rtr-dnv-05 (PID:C8300-1N1S-4T2X,SN:FDO27400005) removed',
  );
});

test('three ticked instances transfer to East with one confirmation', async ({ page }) => {
  await openTab(page, 'Default', 'Product Instances');
  await search(page, 'asr9901-pop-00');
  for (const n of ['001', '002', '003']) {
    await page.getByRole('checkbox', { name: `Select asr9901-pop-${n}` }).check();
  }
  const bar = page.getByRole('group', { name: 'Selected product instances' });
  await expect(bar).toContainText('3 product instances selected.');
  await bar.getByRole('button', { name: 'Transfer…' }).click();
  const confirm = page.getByRole('group', { name: 'Transfer selected product instances' });
  await confirm.getByLabel('Transfer 3 product instances to').selectOption({ label: 'East' });
  await confirm.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Transferred' })).toHaveText('Transferred 3 of 3 product instances.');
  await expect(instances(page).getByRole('link', { name: 'asr9901-pop-001', exact: true })).toHaveCount(0);
  await expect(instances(page).getByRole('link', { name: 'asr9901-pop-004', exact: true })).toBeVisible();
  await expect(bar).toContainText('None selected.');

  await openTab(page, 'East', 'Product Instances');
  await expect(instances(page).getByRole('link', { name: 'asr9901-pop-002', exact: true })).toBeVisible();
});

test('"Select all" takes every instance matching the search, across pages', async ({ page }) => {
  await openTab(page, 'Default', 'Product Instances');
  await search(page, 'asr9901-pop-');
  const bar = page.getByRole('group', { name: 'Selected product instances' });
  await bar.getByRole('button', { name: 'Select all' }).click();
  // 265 in the rollout, 3 moved to East by the test before.
  await expect(bar).toContainText('All 262 product instances matching this search selected.');
  await expect(page.getByRole('checkbox', { name: 'Select asr9901-pop-004' })).toBeChecked();
  await bar.getByRole('button', { name: 'Clear selection' }).click();
  await expect(bar).toContainText('None selected.');

  await search(page, 'asr9901-pop-01');
  await bar.getByRole('button', { name: 'Select all' }).click();
  await expect(bar).toContainText('All 10 product instances matching this search selected.');
  await bar.getByRole('button', { name: 'Remove…' }).click();
  const confirm = page.getByRole('group', { name: 'Remove selected product instances' });
  await expect(confirm).toContainText('Remove 10 product instances? Their licenses are released');
  await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Removed' })).toHaveText('Removed 10 of 10 product instances.');
  await expect(page.getByText('No product instances match.')).toBeVisible();
});

test('"Transfer Several…" moves two licenses to one virtual account at once', async ({ page }) => {
  await openTab(page, 'Default', 'Licenses');
  await page.getByRole('button', { name: 'Transfer Several…' }).click();
  const form = page.getByRole('region', { name: 'Transfer several licenses' });
  await form.getByLabel('Target Virtual Account').selectOption({ label: 'West' });
  // Too many of one: refused under its field, nothing moves.
  await form.getByLabel('Quantity of ASR 9000 10GE port license (A9K-10G-LIC)').fill('9999');
  await form.getByLabel('Quantity of IOS XR Essentials subscription (XR-SW-ESS)').fill('2');
  await form.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(form.getByText(/^At most \d+ can move\.$/).last()).toBeVisible();
  await expect(form.getByLabel('Quantity of ASR 9000 10GE port license (A9K-10G-LIC)')).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('Quantity of ASR 9000 10GE port license (A9K-10G-LIC)').fill('4');
  await form.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'kinds' })).toHaveText('6 licenses of 2 kinds transferred to West.');
  await expect(form).toHaveCount(0);

  await openTab(page, 'West', 'Licenses');
  const row = page
    .getByRole('table', { name: 'Licenses' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader').locator('code', { hasText: /^XR-SW-ESS$/ }) });
  // West's 6 ended 15 days ago; the 2 received are active.
  await expect(row.getByRole('cell').nth(1)).toHaveText('2');
});

test('"New Token…" makes a token for several virtual accounts at once', async ({ page }) => {
  await openTab(page, 'Default', 'General');
  await page.getByRole('link', { name: 'New Token…' }).click();
  const form = page.getByRole('region', { name: 'New Token' });
  await form.getByRole('textbox', { name: 'Description' }).fill('Spring rollout');
  const also = form.getByRole('group', { name: 'Also for' });
  await also.getByRole('checkbox', { name: 'East' }).check();
  await also.getByRole('checkbox', { name: 'West' }).check();
  await form.getByRole('button', { name: 'Create Token' }).click();
  const created = page.getByRole('group', { name: 'New token' });
  await expect(created.getByRole('textbox', { name: 'New token', exact: true })).toHaveValue(/^idt/);
  await expect(created.getByRole('textbox', { name: 'New token for East' })).toHaveValue(/^idt/);
  await expect(created.getByRole('textbox', { name: 'New token for West' })).toHaveValue(/^idt/);

  await openTab(page, 'East', 'General');
  await expect(
    page.getByRole('table', { name: 'Registration tokens' }).getByRole('cell', { name: 'Spring rollout', exact: true }),
  ).toHaveCount(1);
});

test('a run of several chunks takes the focus once, then leaves it where the user puts it', async ({ page }) => {
  await openTab(page, 'Default', 'Product Instances');
  await search(page, 'asr9901-pop-');
  const bar = page.getByRole('group', { name: 'Selected product instances' });
  await bar.getByRole('button', { name: 'Select all' }).click();
  // 265 in the rollout, 3 moved to East and 10 removed by the tests before: two chunks of 200.
  await expect(bar).toContainText('All 252 product instances matching this search selected.');
  // Each chunk answers slowly, as on a busy link, so that the run is seen between its chunks.
  await page.route('**/api/instances/bulk-step', async (route) => {
    await new Promise((done) => setTimeout(done, 800));
    await route.continue();
  });
  await bar.getByRole('button', { name: 'Transfer…' }).click();
  const confirm = page.getByRole('group', { name: 'Transfer selected product instances' });
  await confirm.getByLabel('Transfer 252 product instances to').selectOption({ label: 'East' });
  await confirm.getByRole('button', { name: 'Transfer', exact: true }).click();

  const status = page.getByRole('status').filter({ hasText: /^Transferred \d+ of 252 product instances/ });
  const panel = status.locator('..');
  await expect(status).toHaveText('Transferred 0 of 252 product instances…');
  await expect(panel).toBeFocused();
  // The user goes on with something else while the run goes on.
  await panel.evaluate((el) => { el.dataset.seen = 'before the first chunk'; });
  const searchbox = page.getByRole('searchbox', { name: 'Search' });
  await searchbox.focus();
  await expect(status).toHaveText('Transferred 200 of 252 product instances…');
  await expect(status).toHaveText('Transferred 252 of 252 product instances.');
  // The same panel followed the run, and the focus stayed in the search box.
  await expect(panel).toHaveAttribute('data-seen', 'before the first chunk');
  await expect(searchbox).toBeFocused();
});
