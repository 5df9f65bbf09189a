// A signed-in session survives a restart of the portal server (sessions live in the database).
import { expect, portalTest, signIn } from './support/portal';

const { test, portal } = portalTest('session-restart');

test('a signed-in user is still signed in after the server restarts', async ({ page, baseURL }) => {
  await signIn(page);
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: 'East' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('East');
  const url = page.url();

  await portal.stop();
  // The server is really gone: the page can no longer be loaded.
  await expect(page.goto(url)).rejects.toThrow();

  await portal.restart();
  expect(portal.url).toBe(baseURL); // same port, same data dir

  await page.goto(url);
  await expect(page).toHaveURL(/\/inventory\?va=\d+/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('East');
  await expect(page.getByRole('banner').getByText('Acme Networks', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toHaveCount(0);

  // And the session still works for the server functions the page calls.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Virtual Accounts' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Virtual Accounts');
  await expect(page.getByRole('link', { name: 'Rename East' })).toBeVisible();
});
