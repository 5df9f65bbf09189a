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

test('a wrong password shows the error and stays on the sign-in page', async ({ page }) => {
  await fillSignIn(page, DEMO.username, 'not-the-password');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('alert')).toHaveText('The username or password is not correct.');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('the right password signs in and shows the Overview, then the inventory', async ({ page }) => {
  await fillSignIn(page, DEMO.username, DEMO.password);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inventory' }).click();
  await expect(page).toHaveURL(/\/inventory(\?|$)/);
  await expect(page.getByRole('banner').getByText('Acme Networks', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Default');
  await expect(page.getByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true');

  // The header selector is a GET form: without scripts, picking a pool does nothing by itself
  // (which also shows that scripts are off); pressing Go opens it.
  const before = page.url();
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: 'West' });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
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
  await expect(page.getByLabel('Virtual Account', { exact: true }).getByRole('option', { name: 'Hamburg Lab' })).toHaveCount(1);
});

test('creating a virtual account says so in the status line', async ({ page }) => {
  await signIn(page, DEMO);
  await page.goto('/virtual-accounts');
  const form = page.getByRole('region', { name: 'New virtual account' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Bremen Lab');
  await form.getByRole('button', { name: 'Create Virtual Account' }).click();
  await expect(page).toHaveURL(/\/virtual-accounts/);
  await expect(page.getByRole('link', { name: 'Bremen Lab', exact: true })).toBeVisible();
  // The same confirmation as with JavaScript.
  await expect(form.getByRole('status')).toHaveText('Virtual account "Bremen Lab" created.');
});

test('renaming and deleting work too, and a refused deletion is explained', async ({ page }) => {
  await signIn(page, DEMO);
  await page.goto('/virtual-accounts');
  const form = page.getByRole('region', { name: 'New virtual account' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Kiel Lab');
  await form.getByRole('button', { name: 'Create Virtual Account' }).click();
  const link = (name: string) => page.getByRole('table').getByRole('link', { name, exact: true });
  await expect(link('Kiel Lab')).toBeVisible();

  await page.getByRole('link', { name: 'Rename Kiel Lab' }).click();
  await page.getByRole('textbox', { name: 'New name' }).fill('Rostock Lab');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(link('Rostock Lab')).toBeVisible();
  await expect(link('Kiel Lab')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'New name' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Delete Rostock Lab' }).click();
  await expect(page.getByRole('group', { name: 'Delete Rostock Lab' })).toContainText(
    'Delete "Rostock Lab"? This cannot be undone.',
  );
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(link('Rostock Lab')).toHaveCount(0);
  await expect(link('East')).toBeVisible();

  await page.getByRole('link', { name: 'Delete East' }).click();
  await expect(page.getByRole('group', { name: 'Delete East' })).toContainText('"East" still holds');
  await expect(page.getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);
  await expect(link('East')).toBeVisible();
});

test('a duplicate name shows the error under the Name field', async ({ page }) => {
  await signIn(page, DEMO);
  await page.goto('/virtual-accounts');
  const form = page.getByRole('region', { name: 'New virtual account' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('West');
  await form.getByRole('button', { name: 'Create Virtual Account' }).click();
  await expect(form.getByText('A virtual account named "West" already exists.')).toBeVisible();
});

test('every page has its document title, on every load', async ({ page }) => {
  // Without scripts the title must come with the server's HTML. Each page is loaded a few times.
  await signIn(page, DEMO);
  const pages: [string, string][] = [
    ['/inventory', 'Default · Acme Networks · Licensing Portal'],
    ['/inventory?va=2&tab=events', 'East · Acme Networks · Licensing Portal'],
    ['/virtual-accounts', 'Virtual Accounts · Acme Networks · Licensing Portal'],
  ];
  for (const [path, title] of pages) {
    for (let load = 1; load <= 5; load++) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await page.title(), `title of ${path}, load ${load}`).toBe(title);
    }
  }
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
