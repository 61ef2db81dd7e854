// Shared set-up for the browser tests: the real riposte binary on one loopback port, a host page server on
// another (so the embed is really cross-origin), and Debian's Chromium driven by playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = process.env.RIPOSTE_BIN || join(ROOT, 'target/debug/riposte');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Serves host pages: any path is a blog post whose widget options come from the query string. */
export async function startHost() {
  const host = { origin: null, riposte: null };
  const server = createServer((req, res) => {
    const url = new URL(req.url, host.origin);
    const q = url.searchParams;
    const attr = (name, key) => (q.has(key) ? ` ${name}="${q.get(key)}"` : '');
    const counts = q.get('counts');
    const body = counts
      ? `<h1>Index</h1><ul>${counts.split(',').map((p) => `<li><a href="${p}" data-riposte-count="${p}">?</a></li>`).join('')}</ul>`
      : `<h1>A post</h1><p>Some words.</p><div id="riposte-thread"></div>`;
    const headers = { 'content-type': 'text/html; charset=utf-8' };
    if (q.has('csp')) {
      const r = host.riposte;
      headers['content-security-policy'] =
        `default-src 'none'; script-src ${r}; style-src ${r}; connect-src ${r}; img-src 'none'; base-uri 'none'; form-action 'none'`;
    }
    res.writeHead(200, headers);
    res.end(`<!doctype html><html lang="${q.get('lang') || 'en'}"><head><meta charset="utf-8"><title>Post ${url.pathname}</title></head>
<body><main>${body}<script src="${host.riposte}/embed.js" data-site="${q.get('site') || 'test'}"${attr('data-theme', 'theme')}${attr('data-lang', 'wlang')} async></script></main></body></html>`);
  });
  // Port 0: the kernel picks a free port, and we read which from the bound socket.
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  host.origin = `http://127.0.0.1:${server.address().port}`;
  host.close = () => new Promise((ok) => server.close(ok));
  return host;
}

/**
 * The database of one test server: `dir/riposte.db`, or with RIPOSTE_TEST_POSTGRES=URL (set by tests/run
 * for the suite's PostgreSQL pass) a new database on that cluster, made and dropped with Debian's `psql`.
 */
let databases = 0;
function testDatabase(dir) {
  const cluster = process.env.RIPOSTE_TEST_POSTGRES;
  if (!cluster) return { url: join(dir, 'riposte.db'), drop() {} };
  const name = `b${process.pid}_${databases++}`;
  const psql = (sql) => {
    const r = spawnSync('psql', [cluster, '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql ${sql}: ${r.error || r.stderr}`);
  };
  psql(`CREATE DATABASE ${name}`);
  return { url: cluster.replace(/\/[^/]*$/, `/${name}`), drop() { psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } };
}

/** Starts the riposte binary with a config whose sites allow the host page's origin; `sitesToml` adds sites. */
export async function startRiposte(hostOrigin, extraToml = '', sitesToml = '') {
  if (!existsSync(BIN)) throw new Error(`riposte binary not found at ${BIN}: build it first (cargo build)`);
  const dir = mkdtempSync(join(tmpdir(), 'riposte-browser-'));
  const config = join(dir, 'riposte.toml');
  const database = testDatabase(dir);
  writeFileSync(config, `listen = "127.0.0.1:0"
database = "${database.url}"
${extraToml}

# Every page a test opens comes from 127.0.0.1 and holds a live-update stream.
[live]
per_address = 1000

[[sites]]
id = "test"
origins = ["${hostOrigin}"]
pow = "off"

[[sites]]
id = "held"
origins = ["${hostOrigin}"]
moderation = "all"
pow = "off"
${sitesToml.replaceAll('HOST', hostOrigin)}
`);
  const child = spawn(BIN, ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  // The server binds port 0 and prints the address it got once its socket is bound; connections made from
  // then on wait in the listener's queue until it serves, so no polling is needed.
  const url = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`riposte did not report its address within 20 s: ${log}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/riposte listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      fail(new Error(`riposte exited: ${log}`));
    });
  });
  return {
    url,
    config,
    /** Writes through the public API, as a non-browser client. */
    async post(body) {
      const r = await fetch(url + '/api/v1/comments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (r.status >= 300) throw new Error(`seeding failed: ${r.status} ${await r.text()}`);
      return (await r.json()).comment;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.on('exit', ok)));
      rmSync(dir, { recursive: true, force: true });
      database.drop();
    },
  };
}

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Everything a test needs: host, riposte, browser; `page(path)` opens a fresh page and waits for the widget. */
export async function setup(extraToml, sitesToml) {
  const host = await startHost();
  const riposte = await startRiposte(host.origin, extraToml, sitesToml);
  host.riposte = riposte.url;
  const browser = await launch();
  const pages = [];
  return {
    host,
    riposte,
    browser,
    async open(path, { context } = {}) {
      const ctx = context || (await browser.newContext());
      const page = await ctx.newPage();
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(e));
      page.on('console', (m) => m.type() === 'error' && page.errors.push(m.text()));
      pages.push(page);
      await page.goto(host.origin + path);
      return page;
    },
    async close() {
      await browser.close();
      await riposte.stop();
      await host.close();
    },
  };
}

/** Waits until 1.6 s after `since` (ms): the server holds as spam a comment sent less than 1.5 s after its
 *  form was shown, and a test that wants it published must be as slow as a person. */
export const humanly = (since) => new Promise((ok) => setTimeout(ok, since + 1600 - Date.now()));

/** The widget's live status message, once there is one. */
export async function statusText(page) {
  const el = page.locator('.riposte-status:not(:empty)').first();
  await el.waitFor();
  return el.textContent();
}

/** Creates a moderator with the real command line, in the running server's database. */
export function addModerator(riposte, name, password) {
  return new Promise((ok, fail) => {
    const child = spawn(BIN, ['moderator', 'add', name, '--all-sites', '--password-stdin', '--config', riposte.config], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`moderator add failed: ${out}`))));
    child.stdin.end(password + '\n');
  });
}
