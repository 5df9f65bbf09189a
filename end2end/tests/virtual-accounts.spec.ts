// Managing virtual accounts (pools) as the account admin, and what the Event Log says about it.
// The tests build on each other (create → rename → delete), so they run in order on one server.
import { expect, portalTest, signIn, waitForHydration } from './support/portal';
import type { Locator, Page } from '@playwright/test';

const { test } = portalTest('virtual-accounts');
test.describe.configure({ mode: 'serial' });

const CREATED = 'Berlin Lab';
const CREATED_DESCRIPTION = 'Staging racks on the Berlin campus';
const RENAMED = 'Munich Lab';
const RENAMED_DESCRIPTION = 'Moved to the Munich campus';

/** The row of the Virtual Accounts table whose name is `name`. */
function poolRow(page: Page, name: string): Locator {
  return page
    .getByRole('table', { name: 'Virtual accounts' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader').getByRole('link', { name, exact: true }) });
}

/** The names in the header's "Virtual Account" selector. */
function selectorOptions(page: Page): Locator {
  return page.getByLabel('Virtual Account', { exact: true }).getByRole('option');
}

async function openVirtualAccounts(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Virtual Accounts' }).click();
  await expect(page).toHaveURL(/\/virtual-accounts/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Virtual Accounts');
  await waitForHydration(page);
}

/** Picks `option` in the header selector and opens that pool's Event Log tab. */
async function openEventLog(page: Page, name: string, option = name) {
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: option });
  await expect(page).toHaveURL(/\/inventory\?va=\d+/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Event Log' }).click();
  await expect(page.getByRole('tab', { name: 'Event Log' })).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/tab=events/);
}

/** The "Event" column of the Event Log, top (newest) to bottom. */
function eventTexts(page: Page): Locator {
  return page.getByRole('table', { name: 'Events, newest first' }).getByRole('row').locator('td:nth-child(4)');
}

/** The first (newest) rows of the Event Log are exactly `texts`, in that order. */
async function expectNewestEvents(page: Page, texts: string[]) {
  await expect(eventTexts(page).nth(texts.length - 1)).toBeVisible();
  for (const [i, text] of texts.entries()) {
    await expect(eventTexts(page).nth(i), `event #${i + 1}`).toHaveText(text);
  }
}

async function filterEvents(page: Page, kind: string, search: string) {
  await page.getByLabel('Kind').selectOption({ label: kind });
  await page.getByRole('searchbox', { name: 'Search' }).fill(search);
  await page.getByRole('button', { name: 'Filter' }).click();
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
  await waitForHydration(page);
});

test('the page lists the demo virtual accounts', async ({ page }) => {
  await openVirtualAccounts(page);
  await expect(page).toHaveTitle('Virtual Accounts · Acme Networks · Licensing Portal');
  for (const name of ['Default', 'East', 'West', 'Lab']) {
    await expect(poolRow(page, name)).toHaveCount(1);
  }
  // The default one can be renamed but is neither deletable nor "made default" again.
  await expect(page.getByRole('link', { name: 'Rename Default' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Delete Default' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Make Default the default' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Delete East' })).toBeVisible();
});

test('creating a virtual account adds it to the table and to the header selector', async ({ page }) => {
  await openVirtualAccounts(page);
  const form = page.getByRole('region', { name: 'New virtual account' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(CREATED);
  await form.getByRole('textbox', { name: 'Description' }).fill(CREATED_DESCRIPTION);
  await form.getByRole('button', { name: 'Create Virtual Account' }).click();

  await expect(page.getByRole('status')).toHaveText(`Virtual account "${CREATED}" created.`);
  const row = poolRow(page, CREATED);
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell').first()).toHaveText(CREATED_DESCRIPTION);
  await expect(selectorOptions(page).filter({ hasText: CREATED })).toHaveCount(1);

  // Still there after a reload, in the table and in the selector.
  await page.reload();
  await expect(poolRow(page, CREATED)).toHaveCount(1);
  await expect(selectorOptions(page)).toContainText([CREATED]);
});

test('a duplicate name is refused with an error under the Name field', async ({ page }) => {
  await openVirtualAccounts(page);
  const form = page.getByRole('region', { name: 'New virtual account' });
  const name = form.getByRole('textbox', { name: 'Name', exact: true });
  await name.fill('East');
  await form.getByRole('textbox', { name: 'Description' }).fill('A second East');
  await form.getByRole('button', { name: 'Create Virtual Account' }).click();

  const message = 'A virtual account named "East" already exists.';
  await expect(form.getByText(message)).toBeVisible();
  await expect(name).toHaveAccessibleDescription(message);
  await expect(page.getByRole('status')).not.toContainText('created');
  await expect(poolRow(page, 'East')).toHaveCount(1);
});

test('renaming a virtual account changes its name and description everywhere', async ({ page }) => {
  await openVirtualAccounts(page);
  await page.getByRole('link', { name: `Rename ${CREATED}` }).click();
  const newName = page.getByRole('textbox', { name: 'New name' });
  await expect(newName).toHaveValue(CREATED);
  await expect(page.getByRole('textbox', { name: 'New description' })).toHaveValue(CREATED_DESCRIPTION);
  await newName.fill(RENAMED);
  await page.getByRole('textbox', { name: 'New description' }).fill(RENAMED_DESCRIPTION);
  await page.getByRole('button', { name: 'Save' }).click();

  const row = poolRow(page, RENAMED);
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell').first()).toHaveText(RENAMED_DESCRIPTION);
  await expect(poolRow(page, CREATED)).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'New name' })).toHaveCount(0);
  await expect(selectorOptions(page).filter({ hasText: RENAMED })).toHaveCount(1);
  await expect(selectorOptions(page).filter({ hasText: CREATED })).toHaveCount(0);
});

test("the new pool's Event Log shows that it was created and renamed", async ({ page }) => {
  await openEventLog(page, RENAMED);
  await expect(page).toHaveTitle(`${RENAMED} · Acme Networks · Licensing Portal`);
  const table = page.getByRole('tabpanel').getByRole('table');
  await expect(table.getByRole('columnheader')).toHaveText(['Time', 'Kind', 'Who', 'Event']);
  // Newest first: the edit (a rename and a new description), then the creation; the account-wide
  // events of the demo seed (users added) come after.
  await expectNewestEvents(page, [
    `Description of "${RENAMED}" changed`,
    `Virtual account "${CREATED}" renamed to "${RENAMED}"`,
    `Virtual account "${CREATED}" created`,
  ]);
  const renamedRow = table.getByRole('row').filter({ hasText: 'renamed to' });
  await expect(renamedRow.getByRole('cell').nth(1)).toHaveText('Virtual account renamed');
  await expect(renamedRow.getByRole('cell').nth(2)).toHaveText('demo');

  await filterEvents(page, 'Virtual account created', '');
  await expect(page).toHaveURL(/kind=/);
  await expect(eventTexts(page)).toHaveText([`Virtual account "${CREATED}" created`]);

  await filterEvents(page, 'Virtual account renamed', '');
  await expect(eventTexts(page)).toHaveText([`Virtual account "${CREATED}" renamed to "${RENAMED}"`]);

  await filterEvents(page, 'All kinds', 'Berlin');
  await expect(page).toHaveURL(/q=Berlin/);
  await expect(eventTexts(page)).toHaveText([
    `Virtual account "${CREATED}" renamed to "${RENAMED}"`,
    `Virtual account "${CREATED}" created`,
  ]);

  await filterEvents(page, 'Virtual account created', 'Munich');
  await expect(eventTexts(page)).toHaveCount(0);
});

test('deleting asks for confirmation, then removes the virtual account', async ({ page }) => {
  await openVirtualAccounts(page);
  await page.getByRole('link', { name: `Delete ${RENAMED}` }).click();
  const confirm = page.getByRole('group', { name: `Delete ${RENAMED}` });
  await expect(confirm).toContainText(`Delete "${RENAMED}"? This cannot be undone.`);

  // Cancel keeps it.
  await confirm.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByRole('group', { name: `Delete ${RENAMED}` })).toHaveCount(0);
  await expect(poolRow(page, RENAMED)).toHaveCount(1);

  await page.getByRole('link', { name: `Delete ${RENAMED}` }).click();
  await page.getByRole('group', { name: `Delete ${RENAMED}` }).getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(poolRow(page, RENAMED)).toHaveCount(0);
  await expect(page.getByRole('group', { name: `Delete ${RENAMED}` })).toHaveCount(0);
  await expect(selectorOptions(page).filter({ hasText: RENAMED })).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.reload();
  await expect(poolRow(page, 'East')).toHaveCount(1);
  await expect(poolRow(page, RENAMED)).toHaveCount(0);
});

test('a virtual account that holds licenses cannot be deleted', async ({ page }) => {
  await openVirtualAccounts(page);
  const licenses = (await poolRow(page, 'East').getByRole('cell').nth(1).textContent())?.trim();
  expect(Number(licenses)).toBeGreaterThan(0);

  // Before asking anything, the page says it must be emptied first, with the way to each tab.
  await page.getByRole('link', { name: 'Delete East' }).click();
  const group = page.getByRole('group', { name: 'Delete East' });
  await expect(group).toContainText(`"East" still holds ${licenses} licenses`);
  await expect(group).toContainText('is deleted only when it is empty');
  await expect(group.getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);
  await expect(group.getByRole('link', { name: 'transfer its licenses' })).toHaveAttribute('href', /tab=licenses/);
  await expect(group.getByRole('link', { name: 'transfer its product instances' })).toHaveAttribute('href', /tab=instances/);

  await page.reload();
  await expect(poolRow(page, 'East')).toHaveCount(1);
  await expect(selectorOptions(page).filter({ hasText: 'East' })).toHaveCount(1);
});

test('the deletion is in the Account Event Log, not in a pool\'s', async ({ page }) => {
  await openEventLog(page, 'Default', 'Default (default)');
  await expect(page.getByRole('link', { name: 'Account Event Log' })).toBeVisible();
  await expect(eventTexts(page).filter({ hasText: 'deleted' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Account Event Log' }).click();
  await expect(page).toHaveURL(/\/events/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account Event Log');
  await expect(eventTexts(page).first()).toHaveText(`Virtual account "${RENAMED}" deleted`);

  await filterEvents(page, 'Virtual account deleted', '');
  await expect(eventTexts(page)).toHaveText([`Virtual account "${RENAMED}" deleted`]);

  await filterEvents(page, 'All kinds', 'Munich');
  await expect(eventTexts(page)).toHaveText([`Virtual account "${RENAMED}" deleted`]);

  await filterEvents(page, 'Virtual account deleted', 'East');
  await expect(eventTexts(page)).toHaveCount(0);
});
