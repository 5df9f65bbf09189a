// Every page of the portal (and its open forms), at a laptop width (1366 px), a small laptop's (1024 px),
// a tablet's (768 px) and a phone's (390 px), checked by an outside tool: axe-core finds no WCAG 2.0/2.1
// A or AA violation once the page is hydrated. At every width the page never scrolls sideways. From
// 768 px up no table runs past its edge (but the Reports preview, which scrolls in a labelled region the
// keyboard can reach); on a phone a table may be wider than the screen, but then it scrolls in its own
// box, which the keyboard can reach (axe's scrollable-region-focusable), and the box fits the screen.
// On the demo's Product Instances tab at 768 px, Status stays on screen and the rows stay a few lines
// high.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, portalTest, signIn, waitForHydration } from './support/portal';

const { test } = portalTest('a11y');

/** A laptop, a small laptop, a tablet, a phone. */
const WIDTHS = [1366, 1024, 768, 390] as const;
/** Below this width a table may scroll in its own box. */
const PHONE = 600;
const HEIGHT = 900;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** A Product Instances row at 768 px: a few lines of text, not a column of single words. */
const MAX_ROW_HEIGHT = 120;

const h1 = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });
const tabpanel = (page: Page) => page.getByRole('tabpanel');

/** The id of the demo's virtual account `name`, as the header's selector offers it. */
async function poolId(page: Page, name: string): Promise<string> {
  const option = page.getByRole('combobox', { name: 'Virtual Account', exact: true }).getByRole('option', { name });
  const id = await option.getAttribute('value');
  expect(id, `the virtual account ${name} is offered`).toBeTruthy();
  return id!;
}

/** Where a link goes, to open it with a full page load (that then hydrates). */
async function hrefOf(link: Locator): Promise<string> {
  const href = await link.first().getAttribute('href');
  expect(href, 'the link has a target').toBeTruthy();
  return href!;
}

/** Opens `path` with a full load and waits for hydration. */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await waitForHydration(page);
}

interface Visit {
  name: string;
  /** Whether the demo user signs in first. */
  signedIn: boolean;
  /** Opens the page as it is to be checked and waits for what it shows. */
  show(page: Page): Promise<void>;
}

/** The inventory of East on `tab` (with `extra` query parameters). */
async function eastTab(page: Page, tab: string, extra = ''): Promise<void> {
  const va = await poolId(page, 'East');
  await open(page, `/inventory?va=${va}&tab=${tab}${extra}`);
  await expect(h1(page, 'East')).toBeVisible();
}

const VISITS: Visit[] = [
  {
    name: 'Sign in',
    signedIn: false,
    async show(page) {
      await open(page, '/login');
      await expect(h1(page, 'Sign in')).toBeVisible();
    },
  },
  {
    name: 'Two-factor sign-in',
    signedIn: false,
    async show(page) {
      await open(page, '/login/code');
      await expect(h1(page, 'Two-factor sign-in')).toBeVisible();
    },
  },
  {
    name: 'Set your password, with a link that is not valid',
    signedIn: false,
    async show(page) {
      await open(page, '/welcome?link=not-a-link');
      await expect(h1(page, 'Set your password')).toBeVisible();
      await expect(page.getByRole('alert')).toBeVisible();
    },
  },
  {
    name: 'Page not found',
    signedIn: false,
    async show(page) {
      await open(page, '/no-such-page');
      await expect(h1(page, 'Page not found')).toBeVisible();
    },
  },
  {
    name: 'Overview',
    signedIn: true,
    async show(page) {
      await open(page, '/overview');
      await expect(h1(page, 'Overview')).toBeVisible();
      await expect(page.getByRole('table', { name: 'Virtual accounts overview' })).toBeVisible();
    },
  },
  {
    name: 'Inventory: General',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'general');
      await expect(tabpanel(page).getByRole('heading', { name: 'Registration Tokens' })).toBeVisible();
    },
  },
  {
    name: 'Inventory: General with a new token and the token table',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'general', '&new_token=1');
      const form = page.getByRole('region', { name: 'New Token' });
      await expect(form).toBeVisible();
      await form.getByRole('textbox', { name: 'Description' }).fill('Accessibility check');
      await form.getByRole('button', { name: 'Create Token' }).click();
      await expect(page.getByRole('group', { name: 'New token' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Registration tokens' })).toBeVisible();
    },
  },
  {
    name: 'Inventory: Licenses',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'licenses');
      await expect(page.getByRole('table', { name: 'Licenses' })).toBeVisible();
    },
  },
  {
    name: 'Inventory: a license in detail',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'licenses');
      await open(page, await hrefOf(page.getByRole('table', { name: 'Licenses' }).getByRole('link', { name: 'ASR 9000 100GE port license' })));
      await expect(tabpanel(page).getByRole('heading', { level: 2, name: 'ASR 9000 100GE port license' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Lots' })).toBeVisible();
    },
  },
  {
    name: 'Inventory: a license transfer form',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'licenses');
      await page.getByRole('table', { name: 'Licenses' }).getByRole('button', { name: /^Transfer/ }).first().click();
      await expect(page.getByRole('region', { name: /^Transfer / })).toBeVisible();
    },
  },
  {
    name: 'Inventory: Product Instances',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'instances');
      await expect(page.getByRole('table', { name: 'Product instances' })).toBeVisible();
    },
  },
  {
    name: 'Inventory: a product instance in detail, with its transfer form',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'instances');
      const href = await hrefOf(page.getByRole('table', { name: 'Product instances' }).getByRole('link', { name: 'asr9k-nyc-core-01' }));
      await open(page, `${href}&transfer=1`);
      await expect(tabpanel(page).getByRole('heading', { name: 'asr9k-nyc-core-01' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Transfer asr9k-nyc-core-01' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Entitlements' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Event history' })).toBeVisible();
    },
  },
  {
    name: 'Inventory: Event Log',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'events');
      await expect(tabpanel(page).getByRole('table')).toBeVisible();
    },
  },
  {
    name: 'Virtual Accounts, renaming one',
    signedIn: true,
    async show(page) {
      await open(page, '/virtual-accounts');
      await expect(h1(page, 'Virtual Accounts')).toBeVisible();
      await open(page, await hrefOf(page.getByRole('link', { name: 'Rename West' })));
      await expect(page.getByRole('textbox', { name: 'New name' })).toBeVisible();
    },
  },
  {
    name: 'Reports with the Licenses preview',
    signedIn: true,
    async show(page) {
      await open(page, '/reports');
      await expect(h1(page, 'Reports')).toBeVisible();
      await expect(page.getByRole('region', { name: 'Licenses', exact: true }).getByRole('table')).toBeVisible();
    },
  },
  {
    name: 'Reports with the Product Instances preview',
    signedIn: true,
    async show(page) {
      await open(page, '/reports');
      await page.getByRole('radio', { name: /Product Instances/ }).check();
      await page.getByRole('button', { name: 'Show preview' }).click();
      await expect(page).toHaveURL(/report=product-instances/);
      await expect(page.getByRole('region', { name: 'Product Instances', exact: true }).getByRole('table')).toBeVisible();
    },
  },
  {
    name: 'Alerts',
    signedIn: true,
    async show(page) {
      await open(page, '/alerts');
      await expect(h1(page, 'Alerts')).toBeVisible();
      await expect(page.getByRole('table', { name: 'Alerts' })).toBeVisible();
    },
  },
  {
    name: 'Users, adding one',
    signedIn: true,
    async show(page) {
      await open(page, '/users?add=1');
      await expect(h1(page, 'Users')).toBeVisible();
      await expect(page.getByRole('table', { name: 'Users' })).toBeVisible();
    },
  },
  {
    name: 'Users, editing one',
    signedIn: true,
    async show(page) {
      await open(page, '/users');
      await open(page, await hrefOf(page.getByRole('link', { name: 'Edit viewer' })));
      await expect(page.getByRole('button', { name: 'Save' })).toBeVisible();
    },
  },
  {
    name: 'Account',
    signedIn: true,
    async show(page) {
      await open(page, '/account');
      await expect(h1(page, 'Account')).toBeVisible();
      await expect(page.getByRole('table', { name: 'Your sessions' })).toBeVisible();
    },
  },
  {
    name: 'API Keys, creating one',
    signedIn: true,
    async show(page) {
      await open(page, '/api-keys?new=1');
      await expect(h1(page, 'API Keys')).toBeVisible();
      await expect(page.getByRole('region', { name: 'New API Key' })).toBeVisible();
    },
  },
  {
    name: 'API Keys, one just created and the key table',
    signedIn: true,
    async show(page) {
      await open(page, '/api-keys?new=1');
      const form = page.getByRole('region', { name: 'New API Key' });
      await form.getByRole('textbox', { name: 'Name' }).fill('Nightly inventory export');
      await form.getByRole('button', { name: 'Create API Key' }).click();
      await expect(page.getByRole('group', { name: 'New API key' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'API keys' })).toBeVisible();
    },
  },
  {
    name: 'API Reference',
    signedIn: true,
    async show(page) {
      await open(page, '/api-reference');
      await expect(h1(page, 'API Reference')).toBeVisible();
    },
  },
  {
    name: 'Satellites, adding one',
    signedIn: true,
    async show(page) {
      await open(page, '/satellites?new=1');
      await expect(h1(page, 'Satellites')).toBeVisible();
      await expect(page.getByRole('region', { name: 'New Satellite' })).toBeVisible();
    },
  },
  {
    name: 'Satellites, one just created and the satellite table',
    signedIn: true,
    async show(page) {
      await open(page, '/satellites?new=1');
      const form = page.getByRole('region', { name: 'New Satellite' });
      await form.getByRole('textbox', { name: 'Name' }).fill('Plant 3 control network');
      await form.getByRole('checkbox', { name: 'East' }).check();
      await form.getByRole('button', { name: 'Create Satellite' }).click();
      await expect(page.getByRole('group', { name: 'Registration file' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Satellites' })).toBeVisible();
    },
  },
  {
    name: 'Satellites, uploading a sync file',
    signedIn: true,
    async show(page) {
      await open(page, '/satellites?upload=1');
      await expect(h1(page, 'Satellites')).toBeVisible();
      await expect(page.getByRole('button', { name: /Upload/ })).toBeVisible();
    },
  },
  {
    name: 'Traditional Licenses',
    signedIn: true,
    async show(page) {
      await open(page, '/traditional-licenses');
      await expect(h1(page, 'Traditional Licenses')).toBeVisible();
    },
  },
  {
    name: 'Resolve Shortages',
    signedIn: true,
    async show(page) {
      await open(page, '/resolve-shortages');
      await expect(h1(page, 'Resolve Shortages')).toBeVisible();
    },
  },
  {
    name: 'A token\'s devices, flagged (the token misuse view)',
    signedIn: true,
    async show(page) {
      const va = await poolId(page, 'Default (default)');
      await open(page, `/inventory?va=${va}&tab=general`);
      const tokens = page.getByRole('table', { name: 'Registration tokens' });
      const remote = tokens.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Remote hands, Denver', exact: true }) });
      await open(page, await hrefOf(remote.getByRole('link', { name: /^Devices of token/ })));
      await expect(page.getByRole('table', { name: 'Devices registered with the token' })).toBeVisible();
      await page.getByRole('button', { name: 'Revoke Token and Remove Devices…' }).click();
      await expect(page.getByRole('group', { name: 'Revoke token and remove devices' })).toBeVisible();
    },
  },
  {
    name: 'Product Instances, rows ticked and their transfer confirmation',
    signedIn: true,
    async show(page) {
      const va = await poolId(page, 'Default (default)');
      await open(page, `/inventory?va=${va}&tab=instances`);
      await page.getByRole('checkbox', { name: "Select this page's product instances" }).check();
      await page.getByRole('group', { name: 'Selected product instances' }).getByRole('button', { name: 'Transfer…' }).click();
      await expect(page.getByRole('group', { name: 'Transfer selected product instances' })).toBeVisible();
    },
  },
  {
    name: 'Licenses, Transfer Several',
    signedIn: true,
    async show(page) {
      await eastTab(page, 'licenses');
      await page.getByRole('button', { name: 'Transfer Several…' }).click();
      await expect(page.getByRole('region', { name: 'Transfer several licenses' })).toBeVisible();
    },
  },
  {
    name: 'Choose a smart account',
    signedIn: true,
    async show(page) {
      await open(page, '/choose-account');
      await expect(h1(page, 'Choose a smart account')).toBeVisible();
    },
  },
];

/** axe-core's WCAG 2.0/2.1 A and AA rules find nothing; if they do, the message lists each rule, its
 * help and the elements it found. */
async function expectNoViolations(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const report = violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  ${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
  expect.soft(violations.map((v) => v.id), `axe violations on ${where} (${page.url()}):\n${report}`).toEqual([]);
}

/** Nothing makes the page scroll sideways, and every table fits in its box: none hides columns past
 * its edge. The one exception is the Reports preview, a spreadsheet's first rows, which scrolls in its
 * own focusable region; and on a phone any table, in its box (`.table-scroll`), which itself fits. */
async function expectNoSidewaysScroll(page: Page, where: string, width: number): Promise<void> {
  // clientWidth, not innerWidth: the width the page is laid out in, without a vertical scrollbar.
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect.soft(scrollWidth, `${where}: the page is ${scrollWidth} px wide in a ${clientWidth} px window`).toBeLessThanOrEqual(clientWidth);
  const overflowing = await page.evaluate((phone) =>
    [...document.querySelectorAll('table')]
      .filter((t) => t.getClientRects().length > 0 && !t.closest('[role="region"][aria-label="Preview rows"]'))
      .map((t) => ({ t, box: phone ? t.closest('.table-scroll') : null }))
      .filter(({ t, box }) => {
        const edge = document.documentElement.clientWidth;
        if (box) return box.getBoundingClientRect().right > edge + 1;
        return t.scrollWidth > t.clientWidth + 1 || t.getBoundingClientRect().right > edge;
      })
      .map(({ t }) => `${t.caption?.textContent ?? t.getAttribute('aria-labelledby') ?? t.className}: ${t.scrollWidth} px`),
    width < PHONE,
  );
  expect.soft(overflowing, `${where}: tables wider than their box`).toEqual([]);
}

for (const visit of VISITS) {
  test(visit.name, async ({ page }) => {
    // axe at four widths: the API Reference (the whole OpenAPI document on one page) takes 20 s on
    // a quiet machine and ran past the default 30 s on a busier one; slow() gives every visit 90 s.
    test.slow();
    await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
    if (visit.signedIn) await signIn(page);
    await visit.show(page);
    for (const width of WIDTHS) {
      await test.step(`${width} px`, async () => {
        await page.setViewportSize({ width, height: HEIGHT });
        await expectNoViolations(page, `${visit.name} at ${width} px`);
        await expectNoSidewaysScroll(page, `${visit.name} at ${width} px`, width);
      });
    }
  });
}

test('the Product Instances table keeps Status on screen and its rows short at 768 px', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: HEIGHT });
  await signIn(page);
  await eastTab(page, 'instances');
  const table = page.getByRole('table', { name: 'Product instances' });
  // Wide enough for every column.
  for (const column of ['Name', 'Product', 'UDI PID', 'UDI Serial', 'Last Contact', 'Status', 'Licenses']) {
    await expect(table.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
  }

  await page.setViewportSize({ width: 768, height: HEIGHT });
  for (const column of ['Name', 'Status', 'Licenses']) {
    await expect(table.getByRole('columnheader', { name: column, exact: true })).toBeInViewport({ ratio: 1 });
  }
  const rows = table.locator('tbody').getByRole('row');
  await expect(rows).toHaveCount(4);
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  for (const row of await rows.all()) {
    const box = (await row.boundingBox())!;
    const name = await row.getByRole('rowheader').innerText();
    expect(box.height, `the row of ${name} is ${box.height} px high`).toBeLessThanOrEqual(MAX_ROW_HEIGHT);
    expect(box.x + box.width, `the row of ${name} ends within the window`).toBeLessThanOrEqual(width);
  }
  // Each instance's licenses are still there to read.
  await expect(table.getByRole('row').filter({ hasText: 'asr9k-nyc-core-01' })).toContainText('A9K-MACSEC-LIC × 4');
});
