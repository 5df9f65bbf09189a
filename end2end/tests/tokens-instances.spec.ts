// Registration tokens (Inventory → General) and product instances (Inventory → Product Instances):
// a user creates a token, a device registers with it over the device API, and the user finds,
// transfers and removes the instance; then the same forms once more without JavaScript. The tests
// build on each other, so they run in order on one server.
import { DEMO, VIEWER, expect, openInventory, portalTest, signIn, waitForHydration } from './support/portal';
import type { APIRequestContext, Locator, Page } from '@playwright/test';

const { test, portal } = portalTest('tokens-instances');
test.describe.configure({ mode: 'serial' });
test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const DESCRIPTION = 'Core routers, rack 4';
const DEVICE = {
  udi: { pid: 'ASR-9006-AC', sn: 'FOXE2E0001' },
  hostname: 'e2e-router-1',
  product: 'ASR9K',
  software_version: '7.3.2',
};
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

/** The token created by the first test, in full. */
let token = '';

const short = (t: string) => `${t.slice(0, 8)}…${t.slice(-4)}`;

/** Picks `pool` in the header's selector and opens its `tab`. */
async function openTab(page: Page, pool: string, tab: string, option = pool) {
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: option });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: tab }).click();
  await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
}

function tokenTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Registration tokens' });
}

/** The token table's row whose description is `description`. */
function tokenRow(page: Page, description: string): Locator {
  return tokenTable(page).getByRole('row').filter({ has: page.getByRole('cell', { name: description, exact: true }) });
}

/** The cells of a token row after the token itself. */
const TOKEN_CELL = { description: 0, createdBy: 1, created: 2, expires: 3, uses: 4, exportControlled: 5, state: 6 };

function instanceTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Product instances' });
}

function instanceRow(page: Page, hostname: string): Locator {
  return instanceTable(page).getByRole('row').filter({ has: page.getByRole('link', { name: hostname, exact: true }) });
}

/** The value next to `term` in the detail's description list. */
function detail(page: Page, term: string): Locator {
  return page.locator('dl.details').getByRole('definition').and(page.locator(`dt:text-is("${term}") + dd`));
}

async function clipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

async function register(request: APIRequestContext, idToken: string, device = DEVICE) {
  return request.post(`${portal.url}/api/device/v1/register`, { data: { id_token: idToken, ...device } });
}

/** The Event Log of the pool shown, filtered by `text`: its Kind and Event columns. */
async function eventLog(page: Page, text: string): Promise<{ kinds: Locator; events: Locator }> {
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Event Log' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(text);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/tab=events.*q=/);
  const rows = page.getByRole('tabpanel').getByRole('table').getByRole('row');
  return { kinds: rows.locator('td:nth-child(2)'), events: rows.locator('td:nth-child(4)') };
}

test.describe('with JavaScript', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, DEMO);
    await waitForHydration(page);
  });

  test('a new token is shown in full, copies to the clipboard and is listed as Active', async ({ page }) => {
    await openTab(page, 'East', 'General');
    // The pool's details stay on top of the tab.
    await expect(page.getByRole('tabpanel').getByText('East coast core and aggregation')).toBeVisible();
    const tokens = page.getByRole('region', { name: 'Registration Tokens' });
    await tokens.getByRole('link', { name: 'New Token…' }).click();
    await expect(page).toHaveURL(/new_token=1/);

    const form = page.getByRole('region', { name: 'New Token' });
    await expect(form.getByRole('spinbutton', { name: 'Expire After' })).toHaveValue('30');
    await expect(form.getByRole('spinbutton', { name: 'Max. Number of Uses' })).toHaveValue('');
    await expect(form.getByRole('checkbox', { name: 'Allow export-controlled functionality' })).toBeChecked();
    await form.getByRole('textbox', { name: 'Description' }).fill(DESCRIPTION);
    await form.getByRole('spinbutton', { name: 'Expire After' }).fill('7');
    await form.getByRole('spinbutton', { name: 'Max. Number of Uses' }).fill('2');
    await form.getByRole('button', { name: 'Create Token' }).click();

    const created = page.getByRole('group', { name: 'New token' });
    const field = created.getByRole('textbox', { name: 'New token' });
    await expect(field).toHaveValue(/^idt_[A-Za-z0-9_-]{43}$/);
    await expect(field).toHaveAttribute('readonly', '');
    token = await field.inputValue();
    await expect(created.getByRole('status').first()).toHaveText(`Token "${DESCRIPTION}" created.`);
    await expect(page.getByRole('region', { name: 'New Token' })).toHaveCount(0);
    await expect(page).not.toHaveURL(/new_token/);

    await page.evaluate(() => navigator.clipboard.writeText('something else'));
    await created.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(created.getByRole('status').filter({ hasText: 'Copied' })).toHaveText('Copied');
    expect(await clipboard(page)).toBe(token);

    const row = tokenRow(page, DESCRIPTION);
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('rowheader')).toContainText(short(token));
    await expect(row.getByRole('rowheader')).not.toContainText(token);
    const cells = row.getByRole('cell');
    await expect(cells.nth(TOKEN_CELL.createdBy)).toHaveText('demo');
    await expect(cells.nth(TOKEN_CELL.uses)).toHaveText('0 / 2');
    await expect(cells.nth(TOKEN_CELL.exportControlled)).toHaveText('Allowed');
    await expect(cells.nth(TOKEN_CELL.state)).toHaveText('Active');
    await expect(cells.nth(TOKEN_CELL.created)).toHaveText(DATE_TIME);
    await expect(cells.nth(TOKEN_CELL.expires)).toHaveText(DATE_TIME);
    const at = async (i: number) => Date.parse(`${(await cells.nth(i).textContent())!.replace(' UTC', '')}Z`);
    expect(await at(TOKEN_CELL.expires)).toBe((await at(TOKEN_CELL.created)) + 7 * 86_400_000);

    // The row's own Copy button copies the whole token.
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await row.getByRole('button', { name: `Copy token ${short(token)}` }).click();
    await expect(row.getByRole('status')).toHaveText('Copied');
    expect(await clipboard(page)).toBe(token);

    // It survives a reload, and the pool's token count includes it.
    await page.reload();
    await expect(tokenRow(page, DESCRIPTION).getByRole('cell').nth(TOKEN_CELL.state)).toHaveText('Active');
    await expect(page.getByRole('textbox', { name: 'New token' })).toHaveCount(0);
  });

  test('an Expire After outside 1 to 365 days is refused under the field', async ({ page }) => {
    await openTab(page, 'East', 'General');
    const rowsBefore = await tokenTable(page).getByRole('row').count();
    await page.getByRole('link', { name: 'New Token…' }).click();
    const form = page.getByRole('region', { name: 'New Token' });
    const days = form.getByRole('spinbutton', { name: 'Expire After' });
    const message = 'Enter a whole number of days from 1 to 365.';
    for (const bad of ['0', '400']) {
      await form.getByRole('textbox', { name: 'Description' }).fill(`Bad expiry ${bad}`);
      await days.fill(bad);
      await form.getByRole('button', { name: 'Create Token' }).click();
      await expect(form.getByText(message)).toBeVisible();
      await expect(days).toHaveAccessibleDescription(new RegExp(message.replace('.', '\\.')));
      await expect(days).toHaveAttribute('aria-invalid', 'true');
    }
    // Max. Number of Uses has its own message.
    await days.fill('30');
    await form.getByRole('spinbutton', { name: 'Max. Number of Uses' }).fill('0');
    await form.getByRole('button', { name: 'Create Token' }).click();
    await expect(form.getByText('Leave blank for unlimited, or enter 1 to 1,000,000.')).toBeVisible();
    await expect(form.getByText(message)).toHaveCount(0);

    await expect(page.getByRole('textbox', { name: 'New token' })).toHaveCount(0);
    await page.reload();
    await expect(tokenTable(page).getByRole('row')).toHaveCount(rowsBefore);
    await expect(tokenTable(page)).not.toContainText('Bad expiry');
  });

  test('a device registers and authorizes with the token; the token counts the use', async ({ page, request }) => {
    expect(token, 'the token of the first test').not.toBe('');
    const registered = await register(request, token);
    expect(registered.status(), await registered.text()).toBe(201);
    const body = await registered.json();
    expect(body.virtual_account).toBe('East');
    expect(typeof body.credential).toBe('string');

    const authorized = await request.post(`${portal.url}/api/device/v1/authorize`, {
      headers: { Authorization: `Bearer ${body.credential}` },
      data: { entitlements: [{ tag: 'A9K-100G-LIC', count: 2 }] },
    });
    expect(authorized.status(), await authorized.text()).toBe(200);
    expect((await authorized.json()).status).toBe('authorized');

    await openTab(page, 'East', 'General');
    await expect(tokenRow(page, DESCRIPTION).getByRole('cell').nth(TOKEN_CELL.uses)).toHaveText('1 / 2');
  });

  test('Product Instances lists the device as Authorized; search and sort work', async ({ page }) => {
    await openTab(page, 'East', 'Product Instances');
    const row = instanceRow(page, DEVICE.hostname);
    await expect(row).toHaveCount(1);
    // The first cell holds the row's tick box (for work in bulk).
    const cells = row.getByRole('cell');
    await expect(cells.nth(0).getByRole('checkbox', { name: `Select ${DEVICE.hostname}` })).toBeVisible();
    await expect(cells.nth(1)).toHaveText(DEVICE.product);
    await expect(cells.nth(2)).toHaveText(DEVICE.udi.pid);
    await expect(cells.nth(3)).toHaveText(DEVICE.udi.sn);
    await expect(cells.nth(4)).toHaveText(DATE_TIME);
    await expect(cells.nth(5)).toHaveText('Authorized');
    await expect(cells.nth(6)).toHaveText('A9K-100G-LIC × 2');

    // Headers sort: Name ascending by default; a header link sorts by it, again reverses.
    const header = (name: string) => instanceTable(page).getByRole('columnheader', { name });
    // The serial column: after the tick box, the name, the product and the PID.
    const serials = () => instanceTable(page).getByRole('row').locator('td:nth-child(5)').allTextContents();
    await expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
    await header('UDI Serial').getByRole('link').click();
    await expect(page).toHaveURL(/sort=serial&dir=asc/);
    await expect(header('UDI Serial')).toHaveAttribute('aria-sort', 'ascending');
    await expect(header('Name')).not.toHaveAttribute('aria-sort', /.+/);
    const ascending = await serials();
    expect(ascending.length).toBeGreaterThan(1);
    expect(ascending).toEqual([...ascending].sort());
    await header('UDI Serial').getByRole('link').click();
    await expect(header('UDI Serial')).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(serials).toEqual([...ascending].reverse());
    await header('Last Contact').getByRole('link').click();
    await expect(header('Last Contact')).toHaveAttribute('aria-sort', 'descending');

    // Search by the start of the serial, then of the hostname, keeping the order; a miss says so.
    const search = page.getByRole('searchbox', { name: 'Search' });
    const submit = page.getByRole('search').getByRole('button', { name: 'Search' });
    await search.fill('FOXE2E');
    await submit.click();
    await expect(page).toHaveURL(/q=FOXE2E.*sort=last_contact&dir=desc/);
    await expect(instanceTable(page).getByRole('row')).toHaveCount(2);
    await expect(instanceRow(page, DEVICE.hostname)).toHaveCount(1);
    await search.fill('nope-');
    await submit.click();
    await expect(page.getByText('No product instances match.')).toBeVisible();
    await search.fill('e2e-rou');
    await submit.click();
    await expect(instanceTable(page).getByRole('row')).toHaveCount(2);
    await expect(instanceRow(page, DEVICE.hostname)).toHaveCount(1);
    await expect(page.getByRole('link', { name: 'Next page' })).toHaveCount(0);
  });

  test('the detail shows the instance, and Transfer… moves it to West', async ({ page }) => {
    await openTab(page, 'East', 'Product Instances');
    await instanceRow(page, DEVICE.hostname).getByRole('link', { name: DEVICE.hostname }).click();
    await expect(page).toHaveURL(/instance=\d+/);
    await expect(page.getByRole('heading', { level: 2, name: DEVICE.hostname })).toBeVisible();
    await expect(detail(page, 'UDI')).toHaveText(`PID:${DEVICE.udi.pid},SN:${DEVICE.udi.sn}`);
    await expect(detail(page, 'Product')).toHaveText(DEVICE.product);
    await expect(detail(page, 'Software Version')).toHaveText(DEVICE.software_version);
    await expect(detail(page, 'Virtual Account')).toHaveText('East');
    await expect(detail(page, 'Registered')).toHaveText(DATE_TIME);
    await expect(detail(page, 'ID Certificate Expires')).toHaveText(DATE_TIME);
    await expect(detail(page, 'Authorization Expires')).toHaveText(DATE_TIME);
    await expect(detail(page, 'Status')).toHaveText('Authorized');
    const entitlements = page.getByRole('table', { name: 'Entitlements' }).getByRole('row').nth(1).getByRole('cell');
    await expect(entitlements).toHaveText(['A9K-100G-LIC', /.+/, '2', 'Authorized']);
    await expect(page.getByRole('table', { name: 'Event history' })).toContainText('Product instance registered');

    await page.getByRole('link', { name: 'Transfer…' }).click();
    const form = page.getByRole('region', { name: `Transfer ${DEVICE.hostname}` });
    const target = form.getByRole('combobox', { name: 'Target Virtual Account' });
    await expect(target.getByRole('option', { name: 'East', exact: true })).toHaveCount(0);
    await target.selectOption({ label: 'West' });
    await form.getByRole('button', { name: 'Transfer', exact: true }).click();

    await expect(page.getByRole('status').filter({ hasText: 'is in the virtual account' })).toHaveText(
      'This product instance is in the virtual account "West". Open it in West',
    );
    await expect(detail(page, 'Virtual Account')).toHaveText('West');
    await expect(page.getByRole('region', { name: `Transfer ${DEVICE.hostname}` })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Transfer…' })).toHaveCount(0);
    await expect(page.getByRole('table', { name: 'Event history' })).toContainText('transferred to "West"');

    await page.getByRole('link', { name: '← All product instances' }).click();
    await expect(instanceRow(page, DEVICE.hostname)).toHaveCount(0);
  });

  test("West lists it; Remove… asks first, then removes it; the Event Logs tell the story", async ({ page }) => {
    await openTab(page, 'West', 'Product Instances');
    await instanceRow(page, DEVICE.hostname).getByRole('link', { name: DEVICE.hostname }).click();
    await expect(detail(page, 'Virtual Account')).toHaveText('West');

    await page.getByRole('link', { name: 'Remove…' }).click();
    const confirm = page.getByRole('group', { name: `Remove ${DEVICE.hostname}` });
    await expect(confirm).toContainText(`Remove product instance "${DEVICE.hostname}" (PID:${DEVICE.udi.pid},SN:${DEVICE.udi.sn})?`);
    await confirm.getByRole('link', { name: 'Cancel' }).click();
    await expect(page.getByRole('heading', { level: 2, name: DEVICE.hostname })).toBeVisible();

    await page.getByRole('link', { name: 'Remove…' }).click();
    await page.getByRole('group', { name: `Remove ${DEVICE.hostname}` }).getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'removed' })).toHaveText('The product instance has been removed.');
    await expect(instanceRow(page, DEVICE.hostname)).toHaveCount(0);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.reload();
    await expect(instanceRow(page, DEVICE.hostname)).toHaveCount(0);

    const west = await eventLog(page, DEVICE.hostname);
    await expect(west.kinds).toHaveText(['Product instance removed', 'Product instance transferred']);
    await expect(west.events.nth(0)).toContainText(`Product instance ${DEVICE.hostname}`);
    await expect(west.events.nth(0)).toContainText('removed');
    await expect(west.events.nth(1)).toContainText('transferred from "East"');

    await openTab(page, 'East', 'General');
    const east = await eventLog(page, DEVICE.hostname);
    await expect(east.kinds).toHaveText(['Product instance transferred', 'Product instance registered']);
    await expect(east.events.nth(0)).toContainText('transferred to "West"');
  });

  test('Revoke… takes a reason and marks the token Revoked; Delete… asks first', async ({ page, request }) => {
    await openTab(page, 'East', 'General');
    const row = tokenRow(page, DESCRIPTION);
    await row.getByRole('link', { name: `Revoke token ${short(token)}` }).click();
    const reason = page.getByRole('textbox', { name: 'Reason' });
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(page.getByText('Say why the token is revoked.')).toBeVisible();
    await expect(reason).toHaveAccessibleDescription('Say why the token is revoked.');

    await reason.fill('Rack 4 was decommissioned');
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    const state = row.getByRole('cell').nth(TOKEN_CELL.state);
    await expect(state).toContainText('Revoked');
    await expect(state).toContainText('Rack 4 was decommissioned');
    await expect(page.getByRole('textbox', { name: 'Reason' })).toHaveCount(0);
    await expect(row.getByRole('link', { name: /^Revoke token/ })).toHaveCount(0);

    // A device can no longer register with it.
    const refused = await register(request, token, { ...DEVICE, udi: { ...DEVICE.udi, sn: 'FOXE2E0002' } });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe('token_revoked');

    await row.getByRole('link', { name: `Delete token ${short(token)}` }).click();
    const confirm = page.getByRole('group', { name: `Delete token ${short(token)}` });
    await expect(confirm).toContainText('Devices registered with it stay registered.');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(tokenRow(page, DESCRIPTION)).toHaveCount(0);
    await expect(page.getByRole('group', { name: `Delete token ${short(token)}` })).toHaveCount(0);
  });

  test('the list pages by 50 with Next page and First page', async ({ page, request }) => {
    // 51 devices in the Default pool (beside the demo's access fleet), registered with an unlimited
    // token; the list searched for them.
    await openTab(page, 'Default', 'General', 'Default (default)');
    await page.getByRole('link', { name: 'New Token…' }).click();
    const form = page.getByRole('region', { name: 'New Token' });
    await form.getByRole('textbox', { name: 'Description' }).fill('Paging');
    await form.getByRole('button', { name: 'Create Token' }).click();
    const idToken = await page.getByRole('textbox', { name: 'New token' }).inputValue();
    for (let i = 0; i <= 50; i++) {
      const n = String(i).padStart(3, '0');
      const res = await register(request, idToken, { ...DEVICE, hostname: `page-host-${n}`, udi: { pid: 'N540X', sn: `PGN${n}` } });
      expect(res.status(), await res.text()).toBe(201);
    }
    await expect(tokenRow(page, 'Paging').getByRole('cell').nth(TOKEN_CELL.uses)).toHaveText('0 / unlimited');
    await page.reload();
    await expect(tokenRow(page, 'Paging').getByRole('cell').nth(TOKEN_CELL.uses)).toHaveText('51 / unlimited');

    await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Product Instances' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('page-host-');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/q=page-host-/);
    const names = instanceTable(page).getByRole('rowheader');
    await expect(names).toHaveCount(50);
    await expect(names.first()).toHaveText('page-host-000');
    await expect(names.last()).toHaveText('page-host-049');
    const pager = page.getByRole('navigation', { name: 'Product instance pages' });
    await expect(pager).toContainText('Page 1 of 2 · 51 product instances');
    await expect(page.getByRole('link', { name: 'First page' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Previous page' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/after=/);
    await expect(names).toHaveText(['page-host-050']);
    await expect(pager).toContainText('Page 2 of 2 · 51 product instances');
    await expect(page.getByRole('link', { name: 'Next page' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Previous page' }).click();
    await expect(page).toHaveURL(/before=/);
    await expect(names).toHaveCount(50);
    await expect(names.first()).toHaveText('page-host-000');
    await expect(names.last()).toHaveText('page-host-049');
    await expect(pager).toContainText('Page 1 of 2');
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(names).toHaveText(['page-host-050']);
    await page.getByRole('link', { name: 'First page' }).click();
    await expect(names).toHaveCount(50);
    await expect(names.first()).toHaveText('page-host-000');

    // The search ignores case and matches anywhere: in the hostname, in the serial.
    const search = async (text: string) => {
      await page.getByRole('searchbox', { name: 'Search' }).fill(text);
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(text)}`));
    };
    await search('HOST-05');
    await expect(names).toHaveText(['page-host-050']);
    await search('gn04');
    await expect(names).toHaveCount(10);
    await expect(pager).toContainText('10 product instances');
    await search('pgn');
    await expect(pager).toContainText('51 product instances');
    // And the Status filter narrows it: all 51 are authorized, none failed to connect.
    await page.getByLabel('Status').selectOption({ label: 'Failed to Connect' });
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/status=failed_to_connect/);
    await expect(page.getByText('No product instances match.')).toBeVisible();
    await page.getByLabel('Status').selectOption({ label: 'All statuses' });
    await search('page-host-');

    // Descending, the last one comes first, and the second page ends with the first one.
    await instanceTable(page).getByRole('columnheader', { name: 'Name' }).getByRole('link').click();
    await expect(names.first()).toHaveText('page-host-050');
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(names).toHaveText(['page-host-000']);
  });

  test('without clipboard access, Copy selects the whole token for Ctrl+C', async ({ page }) => {
    // As on plain http to a non-loopback host, where browsers offer no navigator.clipboard.
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await page.reload();
    await waitForHydration(page);
    await openTab(page, 'West', 'General');
    await page.getByRole('link', { name: 'New Token…' }).click();
    await page.getByRole('textbox', { name: 'Description' }).fill('Clipboard fallback');
    await page.getByRole('button', { name: 'Create Token' }).click();
    const created = page.getByRole('group', { name: 'New token' });
    const whole = await created.getByRole('textbox', { name: 'New token' }).inputValue();
    const selection = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement;
        return el.value.substring(el.selectionStart ?? 0, el.selectionEnd ?? 0);
      });

    await page.getByRole('heading', { level: 1 }).click(); // moves focus and selection away
    await created.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(created.getByRole('status').filter({ hasText: 'Ctrl+C' })).toHaveText(/^Selected: press Ctrl\+C/);
    expect(await selection()).toBe(whole);

    // In the table, the token's disclosure opens and its field is selected.
    const row = tokenRow(page, 'Clipboard fallback');
    await expect(row.getByRole('textbox', { name: /^Token / })).toBeHidden();
    await row.getByRole('button', { name: /^Copy token/ }).click();
    await expect(row.getByRole('textbox', { name: /^Token / })).toBeVisible();
    await expect(row.getByRole('textbox', { name: /^Token / })).toBeFocused();
    expect(await selection()).toBe(whole);
  });

  test('a pool viewer sees tokens shortened and gets no controls', async ({ page }) => {
    // The account admin makes a token in Lab, which the viewer may see but not change.
    await openTab(page, 'Lab', 'General');
    await page.getByRole('link', { name: 'New Token…' }).click();
    await page.getByRole('textbox', { name: 'Description' }).fill('Lab bench');
    await page.getByRole('button', { name: 'Create Token' }).click();
    const labToken = await page.getByRole('textbox', { name: 'New token' }).inputValue();
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, VIEWER);
    await openInventory(page);
    await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'General' }).click();
    const row = tokenRow(page, 'Lab bench');
    await expect(row.getByRole('rowheader')).toHaveText(short(labToken));
    await expect(page.getByRole('tabpanel')).not.toContainText(labToken);
    await expect(row.getByRole('button')).toHaveCount(0);
    // The one link is to the token's devices, which the viewer may read but not act on.
    await expect(row.getByRole('link')).toHaveText(['Devices']);
    await expect(row.getByRole('textbox')).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'New Token…' })).toHaveCount(0);
    const general = page.url();
    await row.getByRole('link', { name: `Devices of token ${short(labToken)}` }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Token ${short(labToken)}`);
    await expect(page.getByText('No device has registered with this token.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Revoke Token and Remove Devices…' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Move Devices…' })).toHaveCount(0);
    await page.goto(`${general}&new_token=1`);
    await expect(page.getByRole('button', { name: 'Create Token' })).toHaveCount(0);

    await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Product Instances' }).click();
    await instanceTable(page).getByRole('rowheader').getByRole('link').first().click();
    await expect(page.getByRole('heading', { level: 2 })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Transfer…' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Remove…' })).toHaveCount(0);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test.beforeEach(async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(DEMO.username);
    await page.getByLabel('Password').fill(DEMO.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/overview$/);
  });

  /** Opens `pool`'s `tab` through the header's Go button and the tab links. */
  async function openTabNoJs(page: Page, pool: string, tab: string) {
    await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: pool });
    await page.getByRole('button', { name: 'Go' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
    await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: tab }).click();
    await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
  }

  test('tokens are created, refused with a message, revoked and deleted with plain forms', async ({ page }) => {
    await openTabNoJs(page, 'West', 'General');
    await page.getByRole('link', { name: 'New Token…' }).click();
    const form = page.getByRole('region', { name: 'New Token' });
    await form.getByRole('textbox', { name: 'Description' }).fill('No-JS token');
    await form.getByRole('spinbutton', { name: 'Expire After' }).fill('400');
    await form.getByRole('button', { name: 'Create Token' }).click();
    await expect(form.getByText('Enter a whole number of days from 1 to 365.')).toBeVisible();

    await form.getByRole('textbox', { name: 'Description' }).fill('No-JS token');
    await form.getByRole('spinbutton', { name: 'Expire After' }).fill('10');
    await form.getByRole('checkbox', { name: 'Allow export-controlled functionality' }).uncheck();
    await form.getByRole('button', { name: 'Create Token' }).click();
    // Without scripts the page comes back as it was (form open, no "New token" panel, which needs
    // JavaScript): the token is in the table.
    await expect(page).toHaveURL(/new_token=1/);
    await expect(page.getByRole('textbox', { name: 'New token' })).toHaveCount(0);
    const row = tokenRow(page, 'No-JS token');
    // No Copy button that could not work; the token is in the row's "Show" disclosure instead.
    await expect(row.getByRole('button')).toHaveCount(0);
    await expect(row.getByRole('cell').nth(TOKEN_CELL.uses)).toHaveText('0 / unlimited');
    await expect(row.getByRole('cell').nth(TOKEN_CELL.exportControlled)).toHaveText('Not Allowed');
    await expect(row.getByRole('cell').nth(TOKEN_CELL.state)).toHaveText('Active');
    await expect(page.getByText('Enter a whole number of days from 1 to 365.')).toHaveCount(0);

    await row.getByRole('link', { name: /^Revoke token/ }).click();
    await page.getByRole('textbox', { name: 'Reason' }).fill('Never used');
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(row.getByRole('cell').nth(TOKEN_CELL.state)).toContainText('Revoked');
    await expect(row.getByRole('cell').nth(TOKEN_CELL.state)).toContainText('Never used');

    await row.getByRole('link', { name: /^Delete token/ }).click();
    await page.getByRole('group', { name: /^Delete token/ }).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(tokenRow(page, 'No-JS token')).toHaveCount(0);
  });

  test('an instance is transferred and removed with plain forms', async ({ page, request }) => {
    // A token, taken from the row's "Show" disclosure (a native <details>), and a device registered with it.
    await openTabNoJs(page, 'West', 'General');
    await page.getByRole('link', { name: 'New Token…' }).click();
    const form = page.getByRole('region', { name: 'New Token' });
    await form.getByRole('textbox', { name: 'Description' }).fill('No-JS device');
    await form.getByRole('button', { name: 'Create Token' }).click();
    const row = tokenRow(page, 'No-JS device');
    await row.getByRole('rowheader').locator('summary').click();
    const whole = await row.getByRole('textbox', { name: /^Token / }).inputValue();
    expect(whole).toMatch(/^idt_[A-Za-z0-9_-]{43}$/);
    const device = { ...DEVICE, hostname: 'nojs-router', udi: { pid: 'ASR-9006-AC', sn: 'FOXNOJS001' } };
    const registered = await register(request, whole, device);
    expect(registered.status(), await registered.text()).toBe(201);

    await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Product Instances' }).click();
    await instanceRow(page, device.hostname).getByRole('link', { name: device.hostname }).click();
    await expect(detail(page, 'Authorization Expires')).toHaveText('Not authorized yet');
    await page.getByRole('link', { name: 'Transfer…' }).click();
    const transfer = page.getByRole('region', { name: `Transfer ${device.hostname}` });
    await transfer.getByRole('combobox', { name: 'Target Virtual Account' }).selectOption({ label: 'East' });
    await transfer.getByRole('button', { name: 'Transfer', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'is in the virtual account' })).toContainText('"East"');
    await expect(detail(page, 'Virtual Account')).toHaveText('East');

    await page.getByRole('link', { name: 'Open it in East' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('East');
    await page.getByRole('link', { name: 'Remove…' }).click();
    await page.getByRole('group', { name: `Remove ${device.hostname}` }).getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'removed' })).toHaveText('The product instance has been removed.');
    await expect(instanceRow(page, device.hostname)).toHaveCount(0);
    await expect(instanceRow(page, 'asr9k-nyc-core-01')).toHaveCount(1);
  });
});
