// Every language the server ships renders the widget with no missing word; Arabic and Hebrew lay out right
// to left. UPDATE_SCREENSHOTS=1 also writes docs/screenshots/widget-ar.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { setup } from './lib.mjs';

let env, langs, keys;
before(async () => {
  env = await setup();
  const a = await env.riposte.post({ site: 'test', uri: '/lang/', text: 'Ein Kommentar mit **Markdown**', author: 'Anna' });
  await env.riposte.post({ site: 'test', uri: '/lang/', text: 'Eine Antwort', parent: a.id });
  const js = await (await fetch(env.riposte.url + '/embed.js')).text();
  langs = JSON.parse(js.match(/const LANGS = (\[[^\]]*\])/)[1]);
  keys = Object.keys(await (await fetch(env.riposte.url + '/i18n/en.json')).json());
});
after(async () => { await env?.close(); });

/** Every word the widget shows or names for assistive technology. */
const words = (page) => page.evaluate(() => {
  const out = [];
  for (const el of document.querySelectorAll('#riposte-thread *')) {
    for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) out.push(n.textContent.trim());
    for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  return out;
});

test('the server ships at least fifteen languages, each served', async () => {
  for (const l of ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ru', 'uk', 'tr', 'ja', 'zh', 'ar', 'he']) assert.ok(langs.includes(l), l);
  for (const l of langs) {
    const r = await fetch(`${env.riposte.url}/i18n/${l}.json`);
    assert.equal(r.status, 200, l);
    assert.deepEqual(Object.keys(await r.json()).sort(), [...keys].sort(), `${l}: the same keys as English`);
  }
});

test('every language renders the widget without a missing word, in its own direction', async () => {
  for (const l of langs) {
    const page = await env.open(`/lang/?wlang=${l}`);
    const section = page.locator('#riposte-thread .riposte');
    await section.waitFor();
    assert.equal(await section.getAttribute('lang'), l);
    const dir = ['ar', 'he'].includes(l) ? 'rtl' : 'ltr';
    assert.equal(await section.getAttribute('dir'), dir, l);
    assert.equal(await section.evaluate((e) => getComputedStyle(e).direction), dir, l);
    const shown = await words(page);
    const raw = shown.filter((w) => keys.includes(w));
    assert.deepEqual(raw, [], `${l} shows keys instead of words`);
    if (l !== 'en') assert.notEqual(await page.locator('.riposte-heading').textContent(), '2 comments', l);
    assert.deepEqual(page.errors, [], l);
    await page.close();
  }
});

test('Arabic lays out right to left and axe-core finds nothing serious', async () => {
  const page = await env.open('/lang/?wlang=ar&lang=ar');
  await page.locator('#riposte-thread .riposte').waitFor();
  const x = async (sel) => (await page.locator(sel).first().boundingBox()).x;
  // The avatar starts the line: on the right in Arabic. Replies indent from the right.
  assert.ok(await x('.riposte-avatar') > await x('.riposte-author'), 'avatar right of the name');
  const top = await page.locator('.riposte-list > .riposte-comment').first().boundingBox();
  const reply = await page.locator('.riposte-replies .riposte-comment').first().boundingBox();
  assert.ok(reply.x + reply.width < top.x + top.width - 5, 'the reply is indented from the right');
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axe);
  const result = await page.evaluate(() => window.axe.run('#riposte-thread', { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
  if (process.env.UPDATE_SCREENSHOTS) {
    await page.setViewportSize({ width: 720, height: 900 });
    await page.locator('#riposte-thread').screenshot({ path: join(resolve(import.meta.dirname, '../..'), 'docs/screenshots/widget-ar.png') });
  }
});
