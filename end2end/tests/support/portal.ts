// Starts and stops a real portal server for the specs: the release binary built by `make build`,
// on a free loopback port, with a fresh data dir (SQLite) and the demo account seeded.
//
//   const { test, portal } = portalTest('auth');   // one server per spec file (or describe block)
//   test('…', async ({ page }) => { await page.goto('/login'); … });
//
// `test` is Playwright's test with `baseURL` set to that server (started in beforeAll, stopped in
// afterAll); `portal.restart()` stops the server (SIGTERM) and starts it again on the same data
// dir and port.
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export { expect };

/** The repository root: the server serves target/site relative to its working directory. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER_BIN = process.env.PORTAL_SERVER_BIN ?? path.join(REPO_ROOT, 'target', 'release', 'server');
const LEPTOS_CONFIG = path.join(REPO_ROOT, 'Leptos.toml');
const DATA_ROOT = path.resolve(__dirname, '..', '..', '.data');

/** The demo account the server seeds with `--demo`. */
export const DEMO = { username: 'demo', password: 'demo-portal-2026' } as const;
/** Pool viewer of "Lab" only, same password. */
export const VIEWER = { username: 'viewer', password: 'demo-portal-2026' } as const;

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Portal {
  readonly dataDir: string;
  private child: ChildProcess | null = null;
  private port = 0;
  private output = '';
  private logStream: fs.WriteStream | null = null;

  constructor(readonly name: string) {
    const stamp = `${Date.now()}-${process.pid}`;
    this.dataDir = path.join(DATA_ROOT, `${name}-${stamp}`);
  }

  get url(): string {
    if (!this.port) throw new Error(`portal "${this.name}" is not started`);
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Runs an operator command of the server on this portal's database (e.g. create-account). */
  operator(args: string[], input = ''): string {
    const run = spawnSync(SERVER_BIN, ['--data-dir', path.join(this.dataDir, 'db'), '--log-level', 'warn', ...args], {
      cwd: REPO_ROOT,
      input,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`server ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout.trim();
  }

  /** Starts the server; on the first start it picks a free port and creates the data dir. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`portal "${this.name}" is already running`);
    if (!fs.existsSync(SERVER_BIN)) {
      throw new Error(`portal server binary not found at ${SERVER_BIN}: build it first (make build)`);
    }
    if (!this.port) this.port = await freePort();
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.output = '';
    this.logStream = fs.createWriteStream(path.join(this.dataDir, 'server.log'), { flags: 'a' });

    const child = spawn(
      SERVER_BIN,
      [
        '--data-dir', path.join(this.dataDir, 'db'),
        'serve',
        '--listen', `127.0.0.1:${this.port}`,
        '--demo',
        '--leptos-config', LEPTOS_CONFIG,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      this.logStream?.write(chunk);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);

    const deadline = Date.now() + READY_TIMEOUT_MS;
    let announced = false;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`portal "${this.name}" exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${this.output}`);
      }
      announced ||= this.output.includes(`Portal: http://127.0.0.1:${this.port}`);
      if (announced && (await this.healthy())) return;
      await sleep(100);
    }
    await this.stop();
    throw new Error(`portal "${this.name}" not ready within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }

  private async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200 && (await res.text()).trim() === 'ok';
    } catch {
      return false;
    }
  }

  /** Stops the server with SIGTERM (SIGKILL if it does not exit in time) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.running) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const inTime = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
      if (!inTime) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    this.child = null;
    await new Promise<void>((resolve) => (this.logStream ? this.logStream.end(resolve) : resolve()));
    this.logStream = null;
  }

  /** Stops the server and starts it again on the same data dir and port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its data dir (kept when PORTAL_KEEP_DATA is set). */
  async dispose(): Promise<void> {
    await this.stop();
    if (!process.env.PORTAL_KEEP_DATA) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * One portal server for the spec file (or the `test.describe` block) this is called in: started in
 * beforeAll, stopped in afterAll. Returns a `test` whose `baseURL` points at it.
 */
export function portalTest(name: string) {
  const portal = new Portal(name);
  const test = base.extend({
    page: async ({ page }, use) => {
      await page.addInitScript(HYDRATION_PROBE);
      const panics = watchForPanics(page);
      await use(page);
      expect(panics, 'no page may log a panic or an uncaught error').toEqual([]);
    },
    // Playwright also resolves fixtures for the hooks, before beforeAll has started the server.
    baseURL: async ({}, use) => {
      await use(portal.running ? portal.url : undefined);
    },
  });
  test.beforeAll(async () => {
    test.setTimeout(READY_TIMEOUT_MS + 15_000);
    await portal.start();
  });
  test.afterAll(async () => {
    await portal.dispose();
  });
  return { test, portal };
}

/**
 * Collects what a page logs that means the app broke: a Rust panic (its hook logs "panicked at"), a
 * WebAssembly trap or any uncaught error. Every page of the `page` fixture is watched; a spec that
 * opens more pages watches them with this too.
 */
export function watchForPanics(page: Page, found: string[] = []): string[] {
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /panicked at|unreachable|disposed/.test(text)) {
      found.push(`${page.url()}: ${text.split('\n')[0]}`);
    }
  });
  page.on('pageerror', (error) => found.push(`${page.url()}: ${String(error).split('\n')[0]}`));
  return found;
}

/** Adds the hydration probe to a page the fixture did not make (`context.newPage()`). */
export async function withHydrationProbe(page: Page, panics?: string[]): Promise<Page> {
  await page.addInitScript(HYDRATION_PROBE);
  if (panics) watchForPanics(page, panics);
  return page;
}

/**
 * Added to every page by `portalTest`'s `page` fixture: counts the event listeners that the app's
 * scripts attach, which its WebAssembly bundle does when it hydrates the server-rendered page.
 */
const HYDRATION_PROBE = `(() => {
  const add = EventTarget.prototype.addEventListener;
  const kinds = new Set(['submit', 'click', 'change', 'input']);
  window.__e2eListeners = 0;
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    // Count only the app's own listeners (its JS glue is served from /pkg/), not the test tool's.
    if (kinds.has(type) && String(new Error().stack).includes('/pkg/')) window.__e2eListeners++;
    return add.call(this, type, ...rest);
  };
})();`;

/**
 * Waits until the page's WebAssembly bundle has hydrated it (it then attaches its event handlers).
 * Interacting before that still works (every form is a real HTML form) but may race with
 * hydration. Needs the `page` of a `portalTest` test (it installs the probe).
 */
export async function waitForHydration(page: Page): Promise<void> {
  // Resolves as soon as the page is hydrated, or as soon as a request for the app's JS or
  // WebAssembly bundle has failed (then it never will be).
  const state = await page
    .waitForFunction(
      () => {
        if (((window as unknown as { __e2eListeners?: number }).__e2eListeners ?? 0) > 0) return { hydrated: true, failed: [] };
        const failed = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          .filter((e) => e.name.includes('/pkg/') && (e.responseStatus ?? 0) >= 400)
          .map((e) => `${e.responseStatus} ${new URL(e.name).pathname}`);
        return failed.length ? { hydrated: false, failed } : false;
      },
      undefined,
      { timeout: 15_000 },
    )
    .then((handle) => handle.jsonValue())
    .catch((err) => ({ hydrated: false, failed: [] as string[], err }));
  if (!state.hydrated) {
    const why = state.failed.length ? `: the bundle could not be loaded (${state.failed.join(', ')})` : ' within 15 s';
    throw new Error(`the page at ${page.url()} was not hydrated by the app's WebAssembly bundle${why}`);
  }
}

/** Opens /login and signs in through the form, as a user would; waits for the Overview. */
export async function signIn(page: Page, user: { username: string; password: string } = DEMO): Promise<void> {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  if (jsEnabled()) await waitForHydration(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** From any signed-in page, the Inventory through the main navigation (the user's first pool). */
export async function openInventory(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inventory' }).click();
  await expect(page).toHaveURL(/\/inventory(\?|$)/);
  if (jsEnabled()) await waitForHydration(page);
}

/** Whether the current test's project runs scripts (false in the no-js project). */
export function jsEnabled(): boolean {
  return base.info().project.use.javaScriptEnabled !== false;
}
