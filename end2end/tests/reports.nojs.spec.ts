// Reports without JavaScript (project "no-js"): the filters are a GET form and the exports plain
// links, so a preview and a download work with no script at all.
import { expect, portalTest, signIn } from './support/portal';

const { test } = portalTest('reports-nojs');

test('without scripts, a report previews and downloads', async ({ page }) => {
  await signIn(page);
  await page.goto('/reports');
  await page.getByRole('radio', { name: /^License Usage\b(?! History)/ }).check();
  await page.getByRole('button', { name: 'Show preview' }).click();
  await expect(page).toHaveURL(/report=license-usage/);
  const preview = page.getByRole('region', { name: 'License Usage', exact: true });
  await expect(preview.getByRole('columnheader', { name: 'Entitlement Tag' })).toBeVisible();

  const downloading = page.waitForEvent('download');
  await preview.getByRole('link', { name: 'Export to CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^Acme-Networks-license-usage-\d{4}-\d{2}-\d{2}\.csv$/);
});
