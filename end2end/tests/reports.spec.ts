// Reports: pick a report and a virtual account, see the preview with its row count, export to Excel
// (the download's name carries the account and the day; an independent reader finds the sheet and its
// header) and to CSV; a bad date range is refused next to its field.
import { expect, portalTest, signIn, waitForHydration } from './support/portal';
import { readWorkbook } from './support/xlsx';
import type { Page } from '@playwright/test';

const { test } = portalTest('reports');

const DAY = /\d{4}-\d{2}-\d{2}/.source;

async function openReports(page: Page) {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible();
  await waitForHydration(page);
}

test('a report of one pool previews and exports to Excel and CSV', async ({ page }, info) => {
  await openReports(page);
  await page.getByRole('radio', { name: /Product Instances/ }).check();
  await page.getByRole('checkbox', { name: 'West' }).check();
  await page.getByRole('button', { name: 'Show preview' }).click();
  await expect(page).toHaveURL(/report=product-instances/);

  const preview = page.getByRole('region', { name: 'Product Instances' });
  await expect(preview.getByText(/^\d+ rows?\./)).toBeVisible();
  const table = preview.getByRole('table');
  await expect(table.getByRole('columnheader', { name: 'Hostname' })).toBeVisible();
  const pools = await table.locator('tbody tr td:first-child').allInnerTexts();
  expect(pools.length).toBeGreaterThan(0);
  expect(new Set(pools)).toEqual(new Set(['West']));
  const shown = parseInt((await preview.getByText(/^\d+ rows?\./).innerText()).trim(), 10);

  const downloading = page.waitForEvent('download');
  await preview.getByRole('link', { name: 'Export to Excel' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(new RegExp(`^Acme-Networks-product-instances-${DAY}\\.xlsx$`));
  const file = info.outputPath('instances.xlsx');
  await download.saveAs(file);
  const book = readWorkbook(file);
  expect(book.sheets).toEqual(['Product Instances', 'Summary']);
  expect(book.headers['Product Instances'].slice(0, 3)).toEqual(['Virtual Account', 'Hostname', 'Product']);
  expect(book.rows['Product Instances']).toBe(shown + 1);
  // The page followed the export and says the file is ready.
  await expect(page.getByRole('status').filter({ hasText: 'Export' })).toContainText('Export ready');

  const csvDownload = page.waitForEvent('download');
  await preview.getByRole('link', { name: 'Export to CSV' }).click();
  expect((await csvDownload).suggestedFilename()).toMatch(new RegExp(`^Acme-Networks-product-instances-${DAY}\\.csv$`));
});

test('the Full Inventory workbook has a sheet per report and a summary', async ({ page }, info) => {
  await openReports(page);
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Full Inventory (Excel)' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(new RegExp(`^Acme-Networks-full-inventory-${DAY}\\.xlsx$`));
  const file = info.outputPath('full.xlsx');
  await download.saveAs(file);
  expect(readWorkbook(file).sheets).toEqual([
    'Summary', 'Licenses', 'Product Instances', 'Virtual Accounts', 'License Usage', 'License Usage History', 'Tokens', 'Event Log',
  ]);
});

test('a date range that ends before it starts is refused next to its field', async ({ page }) => {
  await openReports(page);
  await page.getByRole('radio', { name: /Event Log/ }).check();
  await page.getByRole('button', { name: 'Show preview' }).click();
  await expect(page).toHaveURL(/report=event-log/);
  await page.getByLabel('Time from').fill('2026-03-10');
  await page.getByLabel('Time to').fill('2026-03-01');
  await page.getByRole('button', { name: 'Show preview' }).click();
  await expect(page.getByText('The end date is before the start date.')).toBeVisible();
  await expect(page.getByText('Correct the filters above to see the report.')).toBeVisible();
  // What was typed is still there.
  await expect(page.getByLabel('Time from')).toHaveValue('2026-03-10');
});
