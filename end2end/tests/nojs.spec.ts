// The portal without JavaScript (project "no-js"): every form is a plain HTML form, so signing in,
// creating a virtual account and signing out work with server round-trips only.
import { DEMO, expect, portalTest, signIn } from './support/portal';
import type { Page } from '@playwright/test';

const { test } = portalTest('nojs');

async function fillSignIn(page: Page, username: string, password: string) {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('scripts really are off', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('noscript, body')).not.toHaveCount(0);
  // With scripts off the hydration bundle is never requested.
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.reload();
  await page.waitForLoadState('networkidle');
  expect(requested.filter((u) => u.endsWith('.wasm'))).toEqual([]);
});

test('a wrong password shows the error and stays on the sign-in page', async ({ page }) => {
  await fillSignIn(page, DEMO.username, 'not-the-password');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('alert')).toHaveText('The username or password is not correct.');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('the right password signs in and shows the inventory', async ({ page }) => {
  await fillSignIn(page, DEMO.username, DEMO.password);
  await expect(page).toHaveURL(/\/inventory(\?|$)/);
  await expect(page.getByRole('banner').getByText('Acme Networks', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Default');
  await expect(page.getByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true');

  // The header selector is a GET form: pick a pool and press Go.
  await page.getByLabel('Virtual Account').selectOption({ label: 'West' });
  await page.getByRole('button', { name: 'Go' }).click();
  await expect(page).toHaveURL(/\/inventory\?va=\d+/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('West');
});

test('creating a virtual account through the form works', async ({ page }) => {
  await signIn(page, DEMO);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Virtual Accounts' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Virtual Accounts');

  const form = page.getByRole('region', { name: 'New virtual account' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Hamburg Lab');
  await form.getByRole('textbox', { name: 'Description' }).fill('Created without JavaScript');
  await form.getByRole('button', { name: 'Create Virtual Account' }).click();

  await expect(page).toHaveURL(/\/virtual-accounts/);
  const row = page
    .getByRole('table', { name: 'Virtual accounts' })
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: 'Hamburg Lab', exact: true }) });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell').first()).toHaveText('Created without JavaScript');
  await expect(page.getByLabel('Virtual Account').getByRole('option', { name: 'Hamburg Lab' })).toHaveCount(1);
  await expect(page.getByRole('status')).toHaveText('Virtual account "Hamburg Lab" created.');
});

test('a duplicate name shows the error under the Name field', async ({ page }) => {
  await signIn(page, DEMO);
  await page.goto('/virtual-accounts');
  const form = page.getByRole('region', { name: 'New virtual account' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('West');
  await form.getByRole('button', { name: 'Create Virtual Account' }).click();
  await expect(form.getByText('A virtual account named "West" already exists.')).toBeVisible();
});

test('signing out works', async ({ page }) => {
  await signIn(page, DEMO);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await page.goto('/inventory');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
