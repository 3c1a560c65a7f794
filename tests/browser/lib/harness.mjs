import { after, before } from 'node:test';
// Shared pieces of the browser journeys: run a real Halle on a fresh SQLite database, drive the
// system Chromium through playwright-core, check pages with axe-core, read the mail sent.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const resultsDir = path.resolve(here, '../test-results');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The binary under test: $HALLE_BIN, else the debug build in the cargo target directory. */
export const halleBin =
  process.env.HALLE_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, 'target'), 'debug', 'halle');

export const ADMIN = { email: 'admin@test.example', password: 'admin-password-123', name: 'Admin' };

const STARTUP_TIMEOUT_MS = 30_000;
/** The database file of each running Halle, by its base URL (the journeys' mailbox). */
const databases = new Map();
const CLI_TIMEOUT_MS = 60_000;
// Tracing may colour its output; the URL is read from the plain text.
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Run one `halle` sub-command to completion; rejects with its output when it fails. */
function runHalle(args, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(halleBin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${halleBin}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`\`halle ${args.join(' ')}\` failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * Start a Halle on a fresh SQLite database in a temporary directory, with the territory
 * "marguerittes" (unless `withTerritory` is false) and the admin account ADMIN; with `demo`, the
 * demo territory instead (`halle serve --demo`: Marguerittes, its shops, products and slots).
 * Resolves once GET /readyz answers 200.
 * @returns {Promise<{baseUrl: string, dbUrl: string, tmpDir: string, logs: () => string, stop: () => Promise<void>}>}
 */
export async function startHalle({ withTerritory = true, demo = false } = {}) {
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'halle-browser-'));
  const dbUrl = `sqlite://${tmpDir}/halle.db?mode=rwc`;
  // No map tiles: the machine is offline, and the journeys check markers, not backgrounds.
  const env = { ...process.env, HALLE_DATABASE_URL: dbUrl, HALLE_BIND: '127.0.0.1:0', HALLE_TILES_URL: 'none' };
  delete env.HALLE_PUBLIC_URL; // the server must then build links from the address it listens on

  try {
    await runHalle(['migrate'], env);
    if (withTerritory && !demo) {
      await runHalle(['territory', 'add', '--slug', 'marguerittes', '--name', 'Marguerittes'], env);
    }
    await runHalle(
      ['user', 'add', '--email', ADMIN.email, '--name', ADMIN.name, '--admin', '--password-stdin'],
      env,
      ADMIN.password,
    );
  } catch (err) {
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  }

  const server = spawn(halleBin, demo ? ['serve', '--demo'] : ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    server.on('exit', (code, signal) => {
      exited = signal ?? `exit ${code}`;
      resolve();
    }),
  );
  const logs = () => output;

  const stop = async () => {
    if (!exited) {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    if (!process.env.HALLE_KEEP_TMP) await rm(tmpDir, { recursive: true, force: true });
  };

  try {
    const baseUrl = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no "listening on http://..." line')), STARTUP_TIMEOUT_MS);
      const onData = (d) => {
        output += d;
        const m = stripAnsi(output).match(/listening on (http:\/\/[^\s"'<>]+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/$/, ''));
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('error', (err) => reject(new Error(`cannot run ${halleBin}: ${err.message}`)));
      exitPromise.then(() => reject(new Error(`the server stopped (${exited})`)));
    });

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      const status = await fetch(`${baseUrl}/readyz`).then((r) => r.status, (e) => e.message);
      if (status === 200) break;
      if (exited) throw new Error(`the server stopped (${exited})`);
      if (Date.now() > deadline) throw new Error(`GET /readyz never answered 200 (last: ${status})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    databases.set(baseUrl, `${tmpDir}/halle.db`);
    return { baseUrl, dbUrl, tmpDir, logs, stop };
  } catch (err) {
    await stop();
    throw new Error(`Halle did not start: ${err.message}\n--- server output ---\n${output}`);
  }
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Launch the system Chromium, headless; playwright-core never downloads a browser. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.HALLE_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

const contexts = new Set();

/** The screen of the journeys: a small phone, as residents and merchants use the site. */
export const PHONE = { width: 390, height: 844 };

/**
 * A new browser context in French, on a phone's screen unless `opts.viewport` says otherwise. CSP
 * is bypassed so that axe can be injected; that is the only thing it is for: the pages themselves
 * must not rely on it.
 */
export async function newContext(browser, opts = {}) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR', viewport: PHONE, ...opts });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  contexts.add(context);
  context.on('close', () => contexts.delete(context));
  return context;
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Run axe-core (WCAG 2.x A and AA) on the page and fail with a readable list of violations; fail
 * too when the page is wider than the screen (a phone would scroll sideways), naming the widest
 * elements.
 */
export async function expectNoAxeViolations(page, label) {
  const overflow = await page.evaluate(() => {
    const screen = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= screen + 1) return null;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > screen + 1 && !e.closest('.table-scroll, .map'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).replace(/ +/g, '.') : ''}`);
    return { screen, width: document.documentElement.scrollWidth, wide };
  });
  if (overflow) {
    assert.fail(
      `"${label}" (${page.url()}) is ${overflow.width}px wide on a ${overflow.screen}px screen: ${overflow.wide.join(', ')}`,
    );
  }
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: axePath });
  }
  const violations = await page.evaluate(async (values) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  }, AXE_TAGS);
  if (violations.length === 0) return;
  const lines = violations.map(
    (v) => `  - ${v.id} [${v.impact}] ${v.help}\n${v.targets.map((t) => `      at ${t}`).join('\n')}`,
  );
  assert.fail(`axe: ${violations.length} accessibility violation(s) on "${label}" (${page.url()}):\n${lines.join('\n')}`);
}

/**
 * The mailbox of the journeys: find the newest e-mail Halle wrote to `toEmail` (its outbox, read
 * from the server's database: the admin outbox page masks the secrets of links) that carries a
 * link whose path (with its query) starts with `pathPrefix`, e.g. "/account/confirm" or
 * "/password/reset?token=", and return that absolute URL. Waits up to 10 s for it.
 */
export async function readMailLink(baseUrl, toEmail, pathPrefix) {
  const file = databases.get(baseUrl);
  assert.ok(file, `no running Halle at ${baseUrl}`);
  const query = `select body_text from outbox where to_address = '${toEmail.replace(/'/g, "''")}' order by id desc`;
  const deadline = Date.now() + 10_000;
  let bodies = [];
  for (;;) {
    const { stdout } = await promisify(execFile)('sqlite3', ['-readonly', '-json', file, query]);
    bodies = stdout.trim() ? JSON.parse(stdout).map((row) => row.body_text) : [];
    for (const body of bodies) {
      for (const candidate of body.match(/https?:\/\/[^\s<>"']+/g) ?? []) {
        const url = new URL(candidate.replace(/[.,;:)\]]+$/, ''));
        if ((url.pathname + url.search).startsWith(pathPrefix)) return url.href;
      }
    }
    assert.ok(
      Date.now() < deadline,
      `no e-mail to ${toEmail} with a link to ${pathPrefix}` + (bodies.length ? `; e-mails:\n${bodies.slice(0, 3).join('\n')}` : ''),
    );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A fresh Halle and a browser for the tests of a `describe`: started before them, stopped after.
 * `assign(halle, browser)` hands them to the suite's variables.
 */
export function withHalle(assign, options) {
  let halle;
  let browser;
  before(async () => {
    halle = await startHalle(options);
    browser = await launchBrowser();
    assign(halle, browser);
  });
  after(async () => {
    await browser?.close();
    await halle?.stop();
  });
}

/** Playwright options matching an accessible name exactly. */
export const exact = (name) => ({ name, exact: true });

/** A `waitForURL` predicate: the path (without the query) is `p`. */
export const pathIs = (p) => (url) => url.pathname === p;

/** A new page in a new (French) context. */
export async function newPage(browser, opts = {}) {
  return (await newContext(browser, opts)).newPage();
}

/** Log in through the French /login form; resolves on /account. */
export async function logIn(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/^Adresse e-mail/).fill(email);
  await page.getByLabel(/^Mot de passe/).fill(password);
  await page.getByRole('button', exact('Se connecter')).click();
  // A merchant lands on their space, anyone else on their account.
  await page.waitForURL((url) => url.pathname === '/account' || url.pathname === '/mon-espace');
}

/**
 * Ask for an account through the JSON API (POST /api/v1/auth/register, answered 202 whether or
 * not the address has one); the address is left unconfirmed and a confirmation e-mail is queued.
 * Resolves to the API's answer.
 */
export async function registerByApi(baseUrl, { email, password, display_name }) {
  const response = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'fr' },
    body: JSON.stringify({ email, password, display_name }),
  });
  const text = await response.text();
  assert.equal(response.status, 202, `POST /api/v1/auth/register for ${email}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * After a failed journey: save a screenshot and the HTML of every open page under
 * tests/browser/test-results/, and print the server's output.
 */
export async function reportFailure(name, halle) {
  const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  await mkdir(resultsDir, { recursive: true });
  let n = 0;
  for (const context of contexts) {
    for (const page of context.pages()) {
      n += 1;
      const base = path.join(resultsDir, `${slug}-${n}`);
      await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
      await writeFile(`${base}.html`, await page.content().catch(() => '')).catch(() => {});
      console.error(`page ${n} was at ${page.url()}: saved ${base}.png and .html`);
    }
  }
  if (halle) console.error(`--- Halle output ---\n${halle.logs()}`);
}

/** Run a journey; on failure, report it (screenshots, server output) and rethrow. */
export async function journey(name, halle, fn) {
  try {
    await fn();
  } catch (err) {
    await reportFailure(name, halle).catch(() => {});
    throw err;
  }
}
