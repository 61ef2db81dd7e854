// A static site that put the thread's HTML fragment into its page at build time: the widget takes over the
// comments that are there (the same elements, their bodies never parsed again) without a frame without them.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { setup } from './lib.mjs';

let env, site;
const built = new Map(); // uri -> the fragment as the last "build" fetched it
before(async () => {
  site = createServer(async (req, res) => {
    // What a generator does at build time: GET the thread with Accept: text/html, paste it into the page.
    const uri = new URL(req.url, 'http://x').pathname;
    if (!built.has(uri)) {
      const r = await fetch(`${env.riposte.url}/api/v1/threads?site=static&uri=${encodeURIComponent(uri)}`, { headers: { accept: 'text/html' } });
      built.set(uri, await r.text());
    }
    const fragment = built.get(uri);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Static post</title></head><body><main>
<h1>A static post</h1><div id="riposte-thread">${fragment}</div>
<script>
  window.frames_without = 0; window.first = document.querySelector('.riposte-comment');
  window.firstBody = first && first.querySelector('.riposte-body');
  window.reply = document.querySelectorAll('.riposte-comment')[1];
  (function watch() { if (!document.querySelector('#riposte-thread .riposte-comment')) frames_without++;
    if (!document.querySelector('#riposte-thread .riposte-form')) requestAnimationFrame(watch); })();
</script>
<script src="${env.riposte.url}/embed.js" data-site="static" async></script></main></body></html>`);
  });
  await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
  env = await setup('[rate_limits]\ncomments = { burst = 1000, every_ms = 1 }', `[[sites]]\nid = "static"\norigins = ["http://127.0.0.1:${site.address().port}"]\npow = "off"\n`);
});
after(async () => { site?.close(); await env?.close(); });

test('the widget adopts a pre-rendered fragment: same elements, no frame without comments', async () => {
  const a = await env.riposte.post({ site: 'static', uri: '/static/', text: 'Vorab *gerendert*', author: 'Anna' });
  await env.riposte.post({ site: 'static', uri: '/static/', parent: a.id, text: 'Eine Antwort' });
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`http://127.0.0.1:${site.address().port}/static/`);
  await page.locator('#riposte-thread .riposte-form').waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('.riposte-fragment')), null, 'the fragment was taken over');
  assert.equal(await page.evaluate((id) => window.first === document.getElementById('riposte-' + id), a.id), true, 'the same element');
  assert.equal(await page.evaluate(() => window.firstBody === window.first.querySelector('.riposte-body')), true, 'its body kept, not parsed again');
  assert.equal(await page.evaluate(() => window.frames_without), 0, 'no frame without the comments');
  assert.equal(await page.evaluate(() => window.reply && window.reply.isConnected), true, 'the reply adopted too');
  // Taken over means working: actions are there, and microdata stays for whoever reads the DOM.
  assert.equal(await page.locator(`#riposte-${a.id} > .riposte-actions`).getByRole('button', { name: 'Reply' }).count(), 1);
  assert.equal(await page.locator(`#riposte-${a.id}`).getAttribute('itemtype'), 'https://schema.org/Comment');
  assert.equal(await page.locator('.riposte-comment').count(), 2);
  assert.deepEqual(errors, []);
});

test('a comment edited since the build shows its text of now; one removed since, its placeholder', async () => {
  const a = await env.riposte.post({ site: 'static', uri: '/stale/', text: 'wie gebaut' });
  const r = await fetch(env.riposte.url + '/api/v1/comments', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'static', uri: '/stale/', text: 'wird gelöscht' }),
  });
  const doomed = await r.json();
  await env.riposte.post({ site: 'static', uri: '/stale/', parent: doomed.comment.id, text: 'hängt daran' });
  const page = await env.browser.newPage();
  const url = `http://127.0.0.1:${site.address().port}/stale/`;
  await page.goto(url); // the build
  await page.locator('#riposte-thread .riposte-form').waitFor();
  const edit = await env.riposte.post({ site: 'static', uri: '/stale/', text: 'x' }); // a later comment, not in the build
  await fetch(`${env.riposte.url}/api/v1/comments/${doomed.comment.id}`, { method: 'DELETE', headers: { authorization: 'Bearer ' + doomed.edit_token } });
  await page.goto(url);
  await page.locator('#riposte-thread .riposte-form').waitFor();
  assert.equal(await page.locator(`#riposte-${doomed.comment.id} .riposte-deleted`).count(), 1, 'the placeholder, not the built text');
  assert.equal(await page.locator(`#riposte-${doomed.comment.id}`).textContent().then((t) => t.includes('wird gelöscht')), false);
  assert.equal(await page.locator(`#riposte-${edit.id}`).count(), 1, 'and what came since');
  assert.equal((await page.locator(`#riposte-${a.id} .riposte-body`).textContent()).trim(), 'wie gebaut');
});
