// Takes the README's screenshots of the demo article in light and dark with the real headless Chromium:
//   cargo build --release && node tests/browser/screenshots.mjs
// Starts target/release/riposte on a free port with a fresh database, writes a few comments through the
// API, and saves docs/screenshot-light.png and docs/screenshot-dark.png.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launch } from './lib.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const bin = process.env.RIPOSTE_BIN || join(ROOT, 'target/release/riposte');
const port = await new Promise((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); }); });
const dir = mkdtempSync(join(tmpdir(), 'riposte-shots-'));
const url = `http://127.0.0.1:${port}`;
// The demo comments are posted in one burst: lift the posting limit for this run.
writeFileSync(join(dir, 'riposte.toml'), '[rate_limits]\ncomments = { burst = 100, every_ms = 1 }\n');
const child = spawn(bin, ['--config', join(dir, 'riposte.toml'), '--listen', `127.0.0.1:${port}`, '--database', join(dir, 'riposte.db')], { stdio: 'ignore' });
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(url + '/healthz')).ok) break; } catch { /* starting */ }
    if (i > 400) throw new Error('riposte did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
  const post = async (body) => (await (await fetch(url + '/api/v1/comments', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: 'demo', uri: '/', ...body }),
  })).json()).comment;
  const a = await post({ author: 'Katrin M.', website: 'https://katrin.example', text: 'Ich hoste meine Kommentare seit letztem Jahr selbst. Der größte Unterschied: Die Seite lädt spürbar schneller, und niemand fragt mehr nach Cookies. Meine Notizen dazu stehen unter www.example.org/kommentare.' });
  const b = await post({ parent: a.id, author: 'Jonas', text: 'Danke für den Hinweis! Wie halten Sie Spam fern? Bei mir kamen früher vor allem nachts Dutzende Links an.' });
  await post({ parent: b.id, author: 'Katrin M.', website: 'https://katrin.example', text: 'Ein Limit pro Adresse und die Freigabe beim ersten Kommentar reichen bei mir völlig. Seitdem ist Ruhe.' });
  await post({ text: 'Schöner Beitrag. Markdown im Kommentar ist für mich *das* Argument: endlich Schnipsel wie `cargo run --release` ohne Ärger.' });
  const browser = await launch();
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 820, height: 1200 } });
    await page.goto(url + '/');
    await page.locator('.riposte-comment').nth(3).waitFor();
    await page.evaluate(() => document.fonts.ready);
    await page.locator('.comments').screenshot({ path: join(ROOT, `docs/screenshot-${scheme}.png`) });
    console.log(`docs/screenshot-${scheme}.png`);
  }
  await browser.close();
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
