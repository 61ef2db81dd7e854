// live.js in a real Chromium against the real server: comments posted, edited and deleted by others show
// up while the page is open. The host page here renders the thread and sets `riposteLive` on its
// `section.riposte` by hand (the contract embed.js keeps), then loads /live.js as embed.js does; the
// widget itself with live.js is in live-widget.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, startRiposte } from './lib.mjs';

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Live</title></head><body>
<section class="riposte"><h2 class="riposte-heading" tabindex="-1"></h2><div class="riposte-list"></div></section>
<script>
  const R = RIPOSTE, root = document.querySelector('section.riposte');
  const heading = root.querySelector('.riposte-heading'), list = root.querySelector('.riposte-list');
  window.calls = [];
  const el = (c) => {
    const a = document.createElement('article');
    a.className = 'riposte-comment';
    a.id = 'riposte-' + c.id;
    a.tabIndex = -1;
    const body = document.createElement('div');
    body.innerHTML = c.html;
    a.append(body);
    return a;
  };
  const total = (n) => { heading.textContent = n + ' comments'; };
  fetch(R + '/api/v1/threads?site=test&uri=/live/').then((r) => r.json()).then((t) => {
    total(t.total);
    for (const c of t.comments) list.append(el(c));
    root.riposteLive = {
      url: R + '/api/v1/events?site=test&uri=' + encodeURIComponent('/live/'),
      t: (key, vars) => (key === 'newComments' ? vars.n + ' new comments' : key),
      show(c) { calls.push(['show', c.id]); const old = document.getElementById('riposte-' + c.id); old ? old.replaceWith(el(c)) : list.append(el(c)); },
      drop(id) { calls.push(['drop', id]); document.getElementById('riposte-' + id)?.remove(); },
      total(n) { calls.push(['total', n]); total(n); },
    };
    const s = document.createElement('script');
    s.src = R + '/live.js';
    s.async = true;
    document.body.append(s);
  });
</script></body></html>`;

let riposte, host, browser;
before(async () => {
  host = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE.replace('RIPOSTE', JSON.stringify(riposte.url)));
  });
  await new Promise((ok) => host.listen(0, '127.0.0.1', ok));
  riposte = await startRiposte(`http://127.0.0.1:${host.address().port}`);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await riposte?.stop();
  await new Promise((ok) => (host ? host.close(ok) : ok()));
});

/** Posts as another client; returns the comment and its edit token. */
async function post(body) {
  const r = await fetch(riposte.url + '/api/v1/comments', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'test', uri: '/live/', ...body }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  const { comment, edit_token: token } = await r.json();
  return { id: comment.id, token };
}

async function change(method, { id, token }, body) {
  const r = await fetch(`${riposte.url}/api/v1/comments/${id}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: JSON.stringify(body || {}),
  });
  assert.ok(r.ok, `${method} ${id}: ${r.status}`);
}

test('new comments wait behind one button, edits, deletions and counts apply at once', async () => {
  const first = await post({ text: 'Schon da' });
  const page = await (await browser.newContext()).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const stream = page.waitForResponse((r) => r.url().includes('/api/v1/events'));
  await page.goto(`http://127.0.0.1:${host.address().port}/live/`);
  const opened = await stream;
  assert.equal(opened.status(), 200);
  assert.equal(opened.headers()['access-control-allow-origin'], `http://127.0.0.1:${host.address().port}`);
  await page.locator('#riposte-' + first.id).waitFor();
  const heading = page.locator('.riposte-heading');
  assert.equal(await heading.textContent(), '1 comments');

  // Another visitor writes: within a second one button says so, before the list; nothing is inserted yet.
  const sent = Date.now();
  const b = await post({ text: 'Neu von nebenan' });
  const button = page.locator('button.riposte-btn.riposte-new');
  await button.waitFor({ timeout: 1000 });
  const latency = Date.now() - sent;
  assert.ok(latency < 1000, `arrived after ${latency} ms`);
  assert.equal(await button.textContent(), '1 new comments');
  assert.equal(await button.evaluate((el) => el.nextElementSibling.className), 'riposte-list');
  assert.equal(await page.locator('#riposte-' + b.id).count(), 0);
  await page.waitForFunction(() => document.querySelector('.riposte-heading').textContent === '2 comments');
  const c = await post({ text: 'Antwort darauf', parent: b.id });
  await page.waitForFunction(() => document.querySelector('.riposte-new')?.textContent === '2 new comments');

  // An edit of a shown comment shows at once; one of a waiting comment waits with it.
  await change('PATCH', first, { text: 'Schon da, *geändert*' });
  await page.waitForFunction((id) => document.getElementById('riposte-' + id)?.innerHTML.includes('<em>geändert</em>'), first.id);
  await change('PATCH', b, { text: 'Neu, verbessert' });
  // A waiting comment deleted before it was shown leaves the button's count.
  await change('DELETE', c);
  await page.waitForFunction(() => document.querySelector('.riposte-new')?.textContent === '1 new comments');
  await page.waitForFunction(() => document.querySelector('.riposte-heading').textContent === '2 comments');

  // The button inserts what waits, with its last edit, and hands the focus to the first of them.
  await button.click();
  await page.locator('#riposte-' + b.id).waitFor();
  assert.equal(await button.count(), 0);
  assert.match(await page.locator('#riposte-' + b.id).innerHTML(), /Neu, verbessert/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'riposte-' + b.id);

  // A deletion of a shown comment applies at once.
  await change('DELETE', first);
  await page.locator('#riposte-' + first.id).waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.querySelector('.riposte-heading').textContent === '1 comments');
  const calls = await page.evaluate(() => window.calls.filter(([k]) => k !== 'total'));
  assert.deepEqual(calls, [['show', first.id], ['show', b.id], ['drop', first.id]]);
  assert.deepEqual(errors, []);
  console.log(`live: a comment reached the page ${latency} ms after it was posted`);
});

test('live.js builds its nodes without innerHTML', () => {
  const js = readFileSync(join(import.meta.dirname, '../../widget/live.js'), 'utf8');
  assert.doesNotMatch(js.replace(/\/\*[\s\S]*?\*\//g, ''), /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
});
