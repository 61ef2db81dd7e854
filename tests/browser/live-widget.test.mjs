// The widget with its live updates: what others post, edit and delete reaches an open page without a reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setup } from './lib.mjs';

let env;
before(async () => { env = await setup('[rate_limits]\ncomments = { burst = 1000, every_ms = 1 }'); });
after(async () => { await env?.close(); });

test('a comment posted elsewhere waits behind "1 new comment"; edits and deletions apply at once', async () => {
  const first = await env.riposte.post({ site: 'test', uri: '/live-widget/', text: 'schon da' });
  const page = await env.open('/live-widget/');
  await page.locator('#riposte-thread .riposte-form').waitFor();
  await page.waitForFunction(() => [...document.scripts].some((s) => s.src.endsWith('/live.js')));
  // Another reader posts, with an edit token to change it afterwards.
  const r = await fetch(env.riposte.url + '/api/v1/comments', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'test', uri: '/live-widget/', text: 'von nebenan', parent: first.id }),
  });
  const posted = await r.json();
  const button = page.getByRole('button', { name: '1 new comment' });
  await button.waitFor({ timeout: 5000 });
  assert.equal(await page.locator('.riposte-heading').textContent(), '2 comments', 'the count moves at once');
  assert.equal(await page.locator(`#riposte-${posted.comment.id}`).count(), 0, 'not pushed into the reading');
  await button.click();
  const added = page.locator(`#riposte-${first.id} .riposte-replies #riposte-${posted.comment.id}`);
  await added.waitFor();
  assert.equal(await page.evaluate((id) => document.activeElement.id === 'riposte-' + id, posted.comment.id), true);
  await fetch(`${env.riposte.url}/api/v1/comments/${posted.comment.id}`, {
    method: 'PATCH', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + posted.edit_token },
    body: JSON.stringify({ text: 'von nebenan, *bearbeitet*' }),
  });
  await added.locator('.riposte-body em').waitFor({ timeout: 5000 });
  await fetch(`${env.riposte.url}/api/v1/comments/${posted.comment.id}`, {
    method: 'DELETE', headers: { authorization: 'Bearer ' + posted.edit_token },
  });
  await added.waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await page.locator('.riposte-heading').textContent(), '1 comment');
  assert.deepEqual(page.errors, []);
});

