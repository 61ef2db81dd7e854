// Thread features in the widget: the reader's order, pinned comments, closed threads, the moderator badge
// and permalinks, against the real binary (moderators act through the admin UI's own forms).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addModerator, setup } from './lib.mjs';

let env, admin;
before(async () => {
  env = await setup('[rate_limits]\ncomments = { burst = 1000, every_ms = 1 }');
  await addModerator(env.riposte, 'mod', 'a long password');
  admin = await login('mod', 'a long password');
});
after(async () => { await env?.close(); });

const thread = (page) => page.locator('#riposte-thread .riposte');
const texts = async (page) => (await page.locator('.riposte-list > .riposte-comment > .riposte-body').allTextContents()).map((s) => s.trim());

/** Logs in through the admin form; `act(path, fields)` then posts an admin form with the session's CSRF token. */
async function login(name, password) {
  const base = env.riposte.url;
  const r = await fetch(base + '/admin/login', {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ username: name, password }),
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(r.status, 303);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const page = await (await fetch(base + '/admin', { headers: { cookie } })).text();
  const csrf = page.match(/name="csrf" value="([^"]+)"/)[1];
  return {
    cookie,
    async act(path, fields) {
      const res = await fetch(base + path, {
        method: 'POST', redirect: 'manual', body: new URLSearchParams({ csrf, ...fields }),
        headers: { origin: base, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(res.status, 303, `${path}: ${res.status} ${await res.text()}`);
    },
    async page(path) {
      return (await fetch(base + path, { headers: { cookie } })).text();
    },
  };
}

const vote = (id, value) => fetch(`${env.riposte.url}/api/v1/comments/${id}/vote`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }),
});

test('the reader picks oldest, newest or most liked, and the choice is kept', async () => {
  const a = await env.riposte.post({ site: 'test', uri: '/sort/', text: 'first' });
  const b = await env.riposte.post({ site: 'test', uri: '/sort/', text: 'second' });
  await env.riposte.post({ site: 'test', uri: '/sort/', text: 'third' });
  await env.riposte.post({ site: 'test', uri: '/sort/', parent: a.id, text: 'a reply' });
  await vote(b.id, 1);
  await vote(a.id, -1);
  const page = await env.open('/sort/');
  await thread(page).waitFor();
  assert.deepEqual(await texts(page), ['first', 'second', 'third']);
  const select = page.getByLabel('Sort');
  await select.selectOption('newest');
  await page.waitForFunction(() => document.querySelector('.riposte-list > .riposte-comment .riposte-body').textContent.trim() === 'third');
  assert.deepEqual(await texts(page), ['third', 'second', 'first']);
  await select.selectOption('top');
  await page.waitForFunction(() => document.querySelector('.riposte-list > .riposte-comment .riposte-body').textContent.trim() === 'second');
  assert.deepEqual(await texts(page), ['second', 'third', 'first']);
  assert.equal((await page.locator(`#riposte-${a.id} .riposte-replies .riposte-body`).textContent()).trim(), 'a reply');
  await page.reload();
  await thread(page).waitFor();
  assert.deepEqual(await texts(page), ['second', 'third', 'first'], 'the order is remembered');
  assert.equal(await page.getByLabel('Sort').inputValue(), 'top');
  assert.deepEqual(page.errors, []);
});

test('a pinned comment opens the thread, marked; a closed thread shows why and offers no form', async () => {
  await env.riposte.post({ site: 'test', uri: '/pin/', text: 'early' });
  const answer = await env.riposte.post({ site: 'test', uri: '/pin/', text: 'the answer' });
  await admin.act(`/admin/comments/${answer.id}/pin`, { pinned: '1' });
  const page = await env.open('/pin/');
  await thread(page).waitFor();
  assert.deepEqual(await texts(page), ['the answer', 'early']);
  assert.equal(await page.locator(`#riposte-${answer.id} .riposte-pinned`).textContent(), 'Pinned');
  await admin.act(`/admin/comments/${answer.id}/close`, { closed: '1' });
  await page.reload();
  await thread(page).waitFor();
  assert.equal(await page.locator('.riposte-closed').textContent(), 'This thread is closed: it takes no new comments.');
  assert.equal(await page.locator('textarea').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Reply' }).count(), 0);
  assert.equal(await page.locator('.riposte-comment').count(), 2, 'the thread still shows');
  assert.deepEqual(page.errors, []);
});

test('a permalink loads the page holding its comment, scrolls to it and marks it; ids never collide', async () => {
  const ids = [];
  for (let i = 0; i < 104; i++) ids.push((await env.riposte.post({ site: 'test', uri: '/perma/', text: `Nummer ${i}` })).id);
  const page = await env.open(`/perma/#riposte-${ids[102]}`);
  const target = page.locator(`#riposte-${ids[102]}`);
  await target.waitFor();
  await page.locator('.riposte-target').waitFor();
  assert.equal((await page.locator('.riposte-target .riposte-body').textContent()).trim(), 'Nummer 102');
  assert.ok(await target.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'in view');
  const dupes = await page.evaluate(() => {
    const seen = new Map();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
    return [...seen].filter(([, n]) => n > 1);
  });
  assert.deepEqual(dupes, []);
  // A link to a comment on the page moves the mark.
  await page.evaluate((id) => { location.hash = '#riposte-' + id; }, ids[3]);
  await page.locator(`#riposte-${ids[3]}.riposte-target`).waitFor();
  assert.equal(await page.locator('.riposte-target').count(), 1);
  // The form's own fields carry ids of their own prefix: #riposte-1 can only be comment 1.
  assert.equal(await page.locator('#riposte-thread form [id^="riposte-"]').evaluateAll((els) => els.filter((e) => /^riposte-\d+$/.test(e.id)).length), 0);
  assert.deepEqual(page.errors, []);
});
