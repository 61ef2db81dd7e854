// The widget's side of spam protection: proof of work, Idempotency-Key, honeypot and fill time, the
// returning-commenter token; and what it shows of it (placeholder avatars, long branches in pages).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { humanly, setup, statusText } from './lib.mjs';

let env;
before(async () => {
  env = await setup('[rate_limits]\ncomments = { burst = 1000, every_ms = 1 }', `
[[sites]]
id = "pow"
origins = ["HOST"]
pow = "always"

[[sites]]
id = "open"
origins = ["HOST"]
pow = "off"
`);
});
after(async () => { await env?.close(); });

const thread = (page) => page.locator('#riposte-thread .riposte');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FILL_MS = 1500;

/** Opens a page and records the widget's API requests (URL, method, headers, JSON body). */
async function open(path) {
  const context = await env.browser.newContext();
  const requests = [];
  context.on('request', (r) => {
    if (r.url().includes('/api/v1/')) requests.push({ url: r.url(), method: r.method(), headers: r.headers(), body: r.postDataJSON() });
  });
  const page = await env.open(path, { context });
  await thread(page).waitFor();
  page.shown = Date.now();
  page.requests = requests;
  page.posts = () => requests.filter((r) => r.method === 'POST' && r.url.endsWith('/api/v1/comments'));
  page.challenges = () => requests.filter((r) => r.url.includes('/api/v1/challenge'));
  return page;
}

async function write(page, text, { submit = true } = {}) {
  await page.getByLabel('Your comment').fill(text);
  await humanly(page.shown);
  if (submit) await page.getByRole('button', { name: 'Post comment' }).click();
}

const altcha = (post) => JSON.parse(Buffer.from(post.body.altcha, 'base64').toString());

test('on a proof-of-work site the widget solves a challenge in a worker and the comment is published', async () => {
  const page = await open('/pow/?site=pow');
  const workers = [];
  page.on('worker', (w) => workers.push(w));
  // Nothing is fetched for a reader who only reads.
  assert.equal(page.challenges().length, 0);
  await write(page, 'Mit Rechenarbeit');
  await page.locator('.riposte-comment', { hasText: 'Mit Rechenarbeit' }).waitFor();
  assert.equal(await statusText(page), 'Your comment has been published.');
  assert.equal(page.challenges().length, 1);
  assert.ok(workers.length >= 1, 'solved in a worker');
  const [first] = page.posts();
  const solution = altcha(first);
  assert.deepEqual(Object.keys(solution).sort(), ['algorithm', 'challenge', 'number', 'salt', 'signature']);
  assert.equal(solution.algorithm, 'SHA-256');
  assert.match(first.headers['idempotency-key'], UUID);

  // The next comment needs a fresh solution (each is accepted once) and gets a new key.
  page.shown = Date.now();
  await write(page, 'Noch einmal');
  await page.locator('.riposte-comment', { hasText: 'Noch einmal' }).waitFor();
  assert.equal(page.challenges().length, 2);
  const second = page.posts()[1];
  assert.notEqual(altcha(second).salt, solution.salt);
  assert.notEqual(second.headers['idempotency-key'], first.headers['idempotency-key']);
  assert.equal(await page.locator('.riposte-heading').textContent(), '2 comments');
  assert.deepEqual(page.errors, []);
});

test('while the challenge is still being solved, the button says so and the comment is sent after', async () => {
  const page = await open('/pow-wait/?site=pow&lang=de');
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.context().route('**/api/v1/challenge?*', async (route) => { await held; await route.continue(); });
  await page.getByLabel('Ihr Kommentar').fill('Geduld');
  await humanly(page.shown);
  await page.getByRole('button', { name: 'Kommentar senden' }).click();
  const button = page.locator('.riposte-form .riposte-primary').first();
  await page.waitForFunction(() => document.querySelector('.riposte-form .riposte-primary').textContent === 'Wird geprüft …');
  assert.equal(await button.isDisabled(), true);
  assert.equal(page.posts().length, 0);
  release();
  await page.locator('.riposte-comment', { hasText: 'Geduld' }).waitFor();
  assert.equal(await button.textContent(), 'Kommentar senden');
});

test('a refused solution is solved again and the comment sent once more', async () => {
  const page = await open('/pow-retry/?site=pow');
  let spoiled = false;
  await page.context().route('**/api/v1/comments', async (route) => {
    const req = route.request();
    if (req.method() !== 'POST' || spoiled) return route.continue();
    spoiled = true;
    // A wrong number: the server answers 403 challenge_invalid.
    const body = req.postDataJSON();
    const a = JSON.parse(Buffer.from(body.altcha, 'base64').toString());
    body.altcha = Buffer.from(JSON.stringify({ ...a, number: a.number + 1 })).toString('base64');
    await route.continue({ postData: JSON.stringify(body) });
  });
  await write(page, 'Zweiter Versuch');
  await page.locator('.riposte-comment', { hasText: 'Zweiter Versuch' }).waitFor();
  assert.equal(page.challenges().length, 2);
  assert.equal(page.posts().length, 2);
  assert.equal(await statusText(page), 'Your comment has been published.');
});

test('a POST without a solution gets 403 challenge_required and nothing is published', async () => {
  const r = await fetch(env.riposte.url + '/api/v1/comments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: env.host.origin },
    body: JSON.stringify({ site: 'pow', uri: '/pow-bare/', text: 'Ohne Arbeit', fill_ms: 5000 }),
  });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, 'challenge_required');
  const t = await (await fetch(env.riposte.url + '/api/v1/threads?site=pow&uri=/pow-bare/')).json();
  assert.deepEqual(t.comments, []);
  const page = await open('/pow-bare/?site=pow');
  assert.equal(await page.locator('.riposte-heading').textContent(), 'No comments yet');
  assert.equal(await page.locator('.riposte-comment').count(), 0);
});

test('under a strict CSP without blob: workers the challenge is solved on the main thread', async () => {
  const page = await open('/pow-csp/?site=pow&csp=1');
  await write(page, 'Ohne Worker');
  await page.locator('.riposte-comment', { hasText: 'Ohne Worker' }).waitFor();
  assert.equal(await statusText(page), 'Your comment has been published.');
  // The one refused worker is the only complaint.
  assert.ok(page.errors.every((e) => /Creating a worker from 'blob:/.test(e)), String(page.errors));
});

test('the honeypot is off-screen, out of the tab order and not announced; filled, it holds the comment', async () => {
  const page = await open('/trap/?site=open');
  const trap = page.locator('.riposte-form input[name="homepage"]');
  assert.equal(await trap.count(), 1);
  assert.equal(await trap.getAttribute('tabindex'), '-1');
  assert.equal(await trap.getAttribute('autocomplete'), 'off');
  const box = await trap.boundingBox();
  assert.ok(!box || box.x + box.width <= 0, `off-screen: ${JSON.stringify(box)}`);
  assert.equal(await page.getByRole('textbox', { name: 'Leave this field empty' }).count(), 0);
  // Tab runs through the whole form without landing on it.
  await page.getByLabel('Your comment').focus();
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => document.activeElement.name || document.activeElement.textContent));
  }
  assert.ok(!seen.includes('homepage'), seen.join(', '));
  assert.ok(seen.includes('remember'), seen.join(', '));
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axe);
  const result = await page.evaluate(() => window.axe.run('.riposte-form', { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => v.id), []);

  // A person's comment carries an empty trap and the time taken.
  await write(page, 'Von einem Menschen');
  await page.locator('.riposte-comment', { hasText: 'Von einem Menschen' }).waitFor();
  assert.equal(await statusText(page), 'Your comment has been published.');
  const [human] = page.posts();
  assert.equal(human.body.honeypot, '');
  assert.ok(human.body.fill_ms >= FILL_MS, `fill_ms ${human.body.fill_ms}`);

  // A bot fills in everything: held, and told so like anyone else.
  page.shown = Date.now();
  await trap.evaluate((e) => { e.value = 'https://spam.example/'; });
  await write(page, 'Kaufen Sie jetzt');
  await page.locator('.riposte-comment', { hasText: 'Kaufen Sie jetzt' }).locator('.riposte-pending').waitFor();
  assert.equal(page.posts()[1].body.honeypot, 'https://spam.example/');
  assert.equal(await page.locator('.riposte-heading').textContent(), '1 comment');
});

test('a retry after a lost answer sends the same Idempotency-Key and the comment exists once', async () => {
  const page = await open('/idem/?site=open');
  let lost = false;
  await page.context().route('**/api/v1/comments', async (route) => {
    if (route.request().method() !== 'POST' || lost) return route.continue();
    lost = true;
    // The server gets it and answers; the answer never reaches the page.
    await route.fetch();
    await route.abort('connectionreset');
  });
  await write(page, 'Nur einmal');
  assert.equal(await statusText(page), 'The comment server could not be reached. Please try again.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.riposte-comment', { hasText: 'Nur einmal' }).waitFor();
  const [a, b] = page.posts();
  assert.match(a.headers['idempotency-key'], UUID);
  assert.equal(b.headers['idempotency-key'], a.headers['idempotency-key']);
  await page.reload();
  await thread(page).waitFor();
  assert.equal(await page.locator('.riposte-heading').textContent(), '1 comment');
  assert.equal(await page.locator('.riposte-comment', { hasText: 'Nur einmal' }).count(), 1);

  // The next comment is a new submission.
  page.shown = Date.now();
  await write(page, 'Und noch einer');
  await page.locator('.riposte-comment', { hasText: 'Und noch einer' }).waitFor();
  assert.notEqual(page.posts().at(-1).headers['idempotency-key'], a.headers['idempotency-key']);
});

test('the author token from the server is kept and sent with the next comment', async () => {
  const page = await open('/token/?site=open');
  await write(page, 'Zum ersten');
  await page.locator('.riposte-comment', { hasText: 'Zum ersten' }).waitFor();
  assert.equal(page.posts()[0].body.author_token, undefined);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('riposte:author:open')));
  assert.equal(typeof token, 'string');
  assert.ok(token.length > 0);
  // Also on another page of the same site, after a reload.
  await page.goto(env.host.origin + '/token-2/?site=open');
  await thread(page).waitFor();
  page.shown = Date.now();
  await write(page, 'Zum zweiten');
  await page.locator('.riposte-comment', { hasText: 'Zum zweiten' }).waitFor();
  assert.equal(page.posts().at(-1).body.author_token, token);
});

test('a long branch shows "Show more replies" and loads the rest, each reply under its parent', async () => {
  const uri = '/branch/';
  const top = await env.riposte.post({ site: 'open', uri, text: 'Der Anfang' });
  const replies = [];
  for (let i = 0; i < 64; i++) replies.push(await env.riposte.post({ site: 'open', uri, parent: top.id, text: `Antwort ${i}` }));
  // Two answers to a late reply, which arrive in a later page than the first replies.
  const late = replies.at(-1);
  const nested = [];
  for (let i = 0; i < 2; i++) nested.push(await env.riposte.post({ site: 'open', uri, parent: late.id, text: `Unterantwort ${i}` }));
  const page = await open(`${uri}?site=open`);
  const branch = page.locator(`#riposte-${top.id}`);
  const shown = () => branch.locator('.riposte-comment').count();
  const before = await shown();
  assert.ok(before < 66, `the first answer already had all ${before} replies`);
  const more = page.getByRole('button', { name: 'Show more replies' });
  assert.equal(await more.count(), 1);
  for (let i = 0; i < 10 && (await more.count()); i++) {
    const n = await shown();
    await more.click();
    await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length > n, [`#riposte-${top.id} .riposte-comment`, n]);
    // Focus moves to the first reply that came.
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('riposte-comment')), true);
  }
  assert.equal(await more.count(), 0);
  assert.equal(await shown(), 66);
  for (const r of nested) assert.equal(await page.locator(`#riposte-${late.id} .riposte-replies > #riposte-${r.id}`).count(), 1);
  assert.equal(await branch.locator(`> .riposte-replies > #riposte-${replies[63].id}`).count(), 1);
  assert.deepEqual(page.errors, []);

  // German.
  const de = await open(`${uri}?site=open&lang=de`);
  assert.equal(await de.getByRole('button', { name: 'Weitere Antworten anzeigen' }).count(), 1);
});

test('a held comment shows the neutral placeholder avatar, also after a reload', async () => {
  const page = await open('/held-avatar/?site=held');
  await write(page, 'Wartet noch');
  const mine = page.locator('.riposte-comment', { hasText: 'Wartet noch' });
  await mine.locator('.riposte-pending').waitFor();
  const avatar = mine.locator('> .riposte-meta svg.riposte-avatar');
  assert.equal(await avatar.evaluate((e) => e.classList.contains('riposte-anon')), true);
  assert.equal(await avatar.locator('rect').count(), 0);
  assert.equal(await avatar.locator('circle').count(), 1);
  await page.reload();
  await page.locator('.riposte-comment .riposte-pending').waitFor();
  assert.equal(await page.locator('.riposte-comment svg.riposte-anon').count(), 1);
});
