// Satellites: an account admin makes a satellite on the Satellites page, the site sets it up with the
// same server binary from the registration file, a router registers with the satellite, and the
// portal shows that router "via <satellite>". Air-gapped: sync files carried by "Upload Sync File…"
// (a tampered file is refused with a message). Network mode: the satellite is a second process on
// loopback that synchronises at start and on "Synchronize Now" on its own page.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Page } from '@playwright/test';
import { REPO_ROOT, expect, portalTest, signIn, waitForHydration } from './support/portal';

const { test, portal } = portalTest('satellites');
test.describe.configure({ mode: 'serial' });

const SERVER = process.env.PORTAL_SERVER_BIN ?? path.join(REPO_ROOT, 'target', 'release', 'server');
const DEVICE = path.join(REPO_ROOT, 'target', 'release', 'device');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs the server binary; returns its standard output, throws with its errors when it fails. */
function run(bin: string, args: string[]): string {
  const out = spawnSync(bin, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (out.status !== 0) throw new Error(`${path.basename(bin)} ${args.join(' ')} failed (${out.status}):\n${out.stdout}\n${out.stderr}`);
  return out.stdout.trim();
}

/** A satellite's data folder on this machine, and its `server satellite serve` when started. */
class Site {
  readonly dir: string;
  private child: ChildProcess | null = null;
  port = 0;
  log = '';

  constructor(name: string) {
    this.dir = path.join(portal.dataDir, `satellite-${name}`);
    fs.mkdirSync(this.dir, { recursive: true });
  }

  satellite(...args: string[]): string {
    return run(SERVER, ['--data-dir', path.join(this.dir, 'db'), '--log-level', 'warn', 'satellite', ...args]);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async serve(): Promise<void> {
    this.port ||= await freePort();
    this.log = '';
    const child = spawn(
      SERVER,
      ['--data-dir', path.join(this.dir, 'db'), 'satellite', 'serve', '--listen', `127.0.0.1:${this.port}`],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => (this.log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.log += c.toString()));
    await expect
      .poll(async () => {
        if (child.exitCode !== null) throw new Error(`satellite serve exited:\n${this.log}`);
        return fetch(`${this.url}/healthz`).then((r) => r.status).catch(() => 0);
      }, { timeout: 20_000 })
      .toBe(200);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.child = null;
  }

  /** A router (its own state file) that registers with this satellite using `token`. */
  registerRouter(hostname: string, sn: string, token: string): string {
    return run(DEVICE, [
      '--state', path.join(this.dir, `${hostname}.json`),
      '--destination', this.url,
      '--hostname', hostname,
      '--sn', sn,
      'exec',
      'license smart enable',
      'feature A9K-100G-LIC 1',
      `license smart register idtoken ${token}`,
    ]);
  }
}

const sites: Site[] = [];
test.afterAll(async () => {
  for (const site of sites) await site.stop();
});

/** A new token of `pool` made with the operator CLI (the General tab's "New Token…" does the same). */
function token(pool: string): string {
  const out = portal.operator(['token', 'create', '--account', 'Acme Networks', '--pool', pool, '--description', `satellite routers of ${pool}`]);
  return out.split('\n').pop()!.trim();
}

/** Makes satellite `name` serving `pool` on the Satellites page; returns its registration file. */
async function newSatellite(page: Page, name: string, pool: string): Promise<string> {
  await page.goto('/satellites');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'New Satellite…' }).click();
  const form = page.getByRole('region', { name: 'New Satellite' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('group', { name: 'Virtual Accounts' }).getByLabel(pool, { exact: true }).check();
  await form.getByRole('button', { name: 'Create Satellite' }).click();
  await expect(page.getByRole('status')).toContainText(`Satellite "${name}" registered`);
  const registration = await page.getByLabel(`Registration file of ${name}`).inputValue();
  expect(registration.length).toBeGreaterThan(100);
  // The same file downloads as registration.json, and the hint names this portal's own URL.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download registration.json' }).click();
  const saved = await (await download).path();
  // (the one-line field drops the file's line breaks)
  expect(JSON.parse(fs.readFileSync(saved, 'utf8'))).toEqual(JSON.parse(registration));
  await expect(page.getByRole('group', { name: 'Registration file' })).toContainText(`--upstream ${portal.url}`);
  return registration;
}

/** Uploads `file` with "Upload Sync File…" and saves the response file the portal gives back. */
async function upload(page: Page, file: string, response: string): Promise<void> {
  await page.goto('/satellites');
  await page.getByRole('link', { name: 'Upload Sync File…' }).click();
  await page.getByLabel('Sync File', { exact: true }).setInputFiles(file);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Upload and Download the Response' }).click();
  await (await download).saveAs(response);
}

function satelliteRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Satellites' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

/** The Product Instances tab of `pool`: the row of `hostname` says "via <satellite>". */
async function expectVia(page: Page, pool: string, hostname: string, satellite: string) {
  await page.goto('/inventory');
  await waitForHydration(page);
  await page.getByLabel('Virtual Account', { exact: true }).selectOption({ label: pool });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(pool);
  await page.getByRole('tablist', { name: 'Inventory' }).getByRole('tab', { name: 'Product Instances' }).click();
  const row = page
    .getByRole('table', { name: 'Product instances' })
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: hostname, exact: true }) });
  await expect(row).toContainText(`via ${satellite}`);
}

test('an air-gapped satellite: sync files carried by hand, a tampered one refused', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page);
  const site = new Site('lab');
  sites.push(site);
  const registration = path.join(site.dir, 'registration.json');
  fs.writeFileSync(registration, await newSatellite(page, 'Lab Rack', 'Lab'));
  await expect(satelliteRow(page, 'Lab Rack')).toContainText('Never');

  expect(site.satellite('init', '--offline', '--registration', registration)).toContain('air-gapped satellite "Lab Rack"');
  const labToken = token('Lab');

  // The first round trip brings the Lab's licenses and its token down to the site.
  const up1 = path.join(site.dir, 'up-1.json');
  site.satellite('export-sync', up1);
  const down1 = path.join(site.dir, 'down-1.json');
  await upload(page, up1, down1);
  expect(site.satellite('import-sync', down1)).toContain('Applied response');
  expect(site.satellite('import-sync', down1)).toContain('nothing changed');

  await site.serve();
  expect(site.registerRouter('lab-sat-router-1', 'FOXSAT00001', labToken)).toContain('AGENT_REG_SUCCESS');
  await site.stop();

  // A file changed on the way is refused, and says why.
  const up2 = path.join(site.dir, 'up-2.json');
  site.satellite('export-sync', up2);
  const tampered = path.join(site.dir, 'up-2-tampered.json');
  const envelope = JSON.parse(fs.readFileSync(up2, 'utf8'));
  const payload = Buffer.from(envelope.payload, 'base64').toString('utf8');
  expect(payload).toContain('lab-sat-router-1');
  envelope.payload = Buffer.from(payload.replace('lab-sat-router-1', 'lab-sat-router-9')).toString('base64');
  fs.writeFileSync(tampered, JSON.stringify(envelope));
  await page.goto('/satellites');
  await page.getByRole('link', { name: 'Upload Sync File…' }).click();
  await page.getByLabel('Sync File', { exact: true }).setInputFiles(tampered);
  await page.getByRole('button', { name: 'Upload and Download the Response' }).click();
  await expect(page.getByRole('alert')).toContainText('signature does not match');
  await expect(page.getByLabel('Sync File', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  // The real file brings the router up to the portal.
  await upload(page, up2, path.join(site.dir, 'down-2.json'));
  await page.goto('/satellites');
  const row = satelliteRow(page, 'Lab Rack');
  await expect(row).toContainText('Synchronized');
  await expect(row.getByRole('cell').last()).toHaveText('1');
  await expectVia(page, 'Lab', 'lab-sat-router-1', 'Lab Rack');
});

test('a satellite in network mode: a second process that synchronises at start and on "Synchronize Now"', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page);
  const site = new Site('east');
  sites.push(site);
  const registration = path.join(site.dir, 'registration.json');
  fs.writeFileSync(registration, await newSatellite(page, 'East Plant', 'East'));
  const eastToken = token('East');
  expect(site.satellite('init', '--upstream', portal.url, '--registration', registration)).toContain(portal.url);

  // It synchronises at start: the token reaches it, and its page says when.
  await site.serve();
  await page.goto(site.url);
  await expect(page.getByRole('heading', { name: 'Satellite East Plant' })).toBeVisible();
  await expect.poll(async () => {
    await page.reload();
    return page.locator('dt:text-is("Responses applied") + dd').textContent();
  }, { timeout: 15_000 }).toBe('1');
  expect(site.registerRouter('east-sat-router-1', 'FOXSAT00002', eastToken)).toContain('AGENT_REG_SUCCESS');

  await page.getByRole('button', { name: 'Synchronize Now' }).click();
  await expect(page.locator('dt:text-is("Responses applied") + dd')).toHaveText('2');
  await expect(page.getByRole('alert')).toHaveCount(0);

  await expectVia(page, 'East', 'east-sat-router-1', 'East Plant');
  await page.goto('/satellites');
  const row = satelliteRow(page, 'East Plant');
  await expect(row).toContainText('Network');
  await expect(row).toContainText('Synchronized');
  await site.stop();
});
