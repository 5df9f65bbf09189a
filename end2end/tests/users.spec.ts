// Users and access in the browser: an admin adds a pool viewer who sets a password on the one-time
// link in another browser, sees only their pool and cannot transfer; the admin disables them and
// their next click lands on the sign-in page. A user of two smart accounts chooses and switches. A
// pool viewer turns on two-factor sign-in and signs in with a code computed from the secret shown.
import { DEMO, VIEWER, expect, portalTest, signIn, waitForHydration } from './support/portal';
import { totp } from './support/totp';

const { test, portal } = portalTest('users');

const VERA_PASSWORD = 'vera sets her own passphrase';

test('an admin adds a pool viewer, who signs in with their link and sees only their pool; disabled, they are signed out', async ({ page, browser, baseURL }) => {
  await signIn(page, DEMO);
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Users');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Add User…' }).click();
  await page.getByLabel('Username', { exact: true }).fill('vera');
  await page.getByLabel('Role').selectOption({ label: 'Pool viewer' });
  await page.getByRole('group', { name: 'Virtual Accounts' }).getByLabel('Lab').check();
  await page.getByRole('button', { name: 'Add User', exact: true }).click();

  const linkField = page.getByRole('textbox', { name: 'Sign-in link for vera' });
  await expect(linkField).toBeVisible();
  const link = await linkField.inputValue();
  expect(link).toMatch(/\/welcome\?link=sil_/);
  await page.getByRole('button', { name: 'Copy the sign-in link for vera' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Copied|Selected/ })).toBeVisible();
  const row = page.getByRole('row', { name: /vera/ });
  await expect(row.getByRole('cell', { name: 'Invited' })).toBeVisible();

  // Vera, in her own browser.
  const other = await browser.newContext({ baseURL });
  const vera = await other.newPage();
  await vera.goto(link);
  await expect(vera.getByRole('heading', { name: 'Set your password' })).toBeVisible();
  await vera.getByLabel('New Password').fill('too short');
  await vera.getByLabel('Confirm Password').fill('too short');
  await vera.getByRole('button', { name: 'Set Password' }).click();
  await expect(vera.getByText('Use at least 12 characters.')).toBeVisible();
  await vera.getByLabel('New Password').fill(VERA_PASSWORD);
  await vera.getByLabel('Confirm Password').fill(VERA_PASSWORD);
  await vera.getByRole('button', { name: 'Set Password' }).click();
  await expect(vera).toHaveURL(/\/login\?welcome=vera/);
  await expect(vera.getByRole('status').filter({ hasText: 'Password set for vera' })).toBeVisible();
  await expect(vera.getByLabel('Username')).toHaveValue('vera');
  await vera.getByLabel('Password').fill(VERA_PASSWORD);
  await vera.getByRole('button', { name: 'Sign in' }).click();
  await expect(vera).toHaveURL(/\/overview$/);
  await vera.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inventory' }).click();
  await expect(vera.getByRole('heading', { level: 1 })).toHaveText('Lab');
  await expect(vera.getByLabel('Virtual Account', { exact: true }).getByRole('option')).toHaveText(['Lab']);
  await expect(vera.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await vera.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Licenses' }).click();
  await expect(vera.getByRole('tab', { name: 'Licenses' })).toHaveAttribute('aria-selected', 'true');
  await expect(vera.getByRole('tabpanel').getByRole('table')).toBeVisible();
  await expect(vera.getByRole('button', { name: 'Transfer…' })).toHaveCount(0);
  // The link worked once.
  await vera.goto(link);
  await expect(vera.getByText('This sign-in link has expired or was already used.')).toBeVisible();
  await vera.goBack();

  // The admin disables her; her next click lands on the sign-in page.
  await vera.goto('/inventory');
  await page.reload();
  await waitForHydration(page);
  await page.getByRole('row', { name: /vera/ }).getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('row', { name: /vera/ }).getByRole('cell', { name: 'Disabled' })).toBeVisible();
  await vera.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Virtual Accounts' }).click();
  await expect(vera).toHaveURL(/\/login/);
  await vera.getByLabel('Username').fill('vera');
  await vera.getByLabel('Password').fill(VERA_PASSWORD);
  await vera.getByRole('button', { name: 'Sign in' }).click();
  await expect(vera.getByText('Your access has been disabled. Ask your account admin to enable it.')).toBeVisible();
  await other.close();
});

test('the last account admin cannot disable themself, and the page says why', async ({ page }) => {
  await signIn(page, DEMO);
  await page.goto('/users?q=demo');
  await waitForHydration(page);
  await page.getByRole('row', { name: /demo/ }).getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "last active account admin" })).toBeVisible();
});

test('a user of two smart accounts chooses one after sign-in and switches in the header', async ({ page }) => {
  const gina = { username: 'gina', password: 'gina has a long passphrase' };
  portal.operator(['create-account', '--name', 'Globex', '--admin', gina.username], gina.password + '\n');
  await signIn(page, gina);
  await page.goto('/users?add=1');
  await waitForHydration(page);
  await page.getByLabel('Username', { exact: true }).fill(DEMO.username);
  await page.getByLabel('Role').selectOption({ label: 'Account user' });
  await page.getByRole('button', { name: 'Add User', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'User added. They already have a password' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);

  await waitForHydration(page);
  await page.getByLabel('Username').fill(DEMO.username);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/choose-account/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a smart account');
  await page.getByRole('button', { name: 'Globex' }).click();
  await expect(page).toHaveURL(/\/overview/);
  const switcher = page.getByRole('combobox', { name: 'Smart account' });
  await expect(switcher).toHaveValue(/\d+/);
  await expect(switcher.locator('option:checked')).toHaveText('Globex');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await waitForHydration(page);
  await switcher.selectOption({ label: 'Acme Networks' });
  await expect(page.getByRole('combobox', { name: 'Smart account' }).locator('option:checked')).toHaveText('Acme Networks');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible();
});

test('a user turns on two-factor sign-in and signs in with a code', async ({ page }) => {
  await signIn(page, VIEWER);
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Set Up Two-Factor Sign-in' }).click();
  await expect(page.getByRole('img', { name: 'QR code of the two-factor secret' })).toBeVisible();
  const secret = (await page.getByLabel('Secret').textContent())!.trim();
  await page.getByLabel('Authentication Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn On' }).click();
  await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await waitForHydration(page);
  await page.getByLabel('Username').fill(VIEWER.username);
  await page.getByLabel('Password').fill(VIEWER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\/code/);
  await page.getByLabel('Authentication Code').fill('000000' === totp(secret) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not right.')).toBeVisible();
  await page.getByLabel('Authentication Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/overview/);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});
