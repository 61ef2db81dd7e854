// A moderator logs in to the admin UI, approves a held comment, and the visitor sees it published.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addModerator, humanly, setup, statusText } from './lib.mjs';

let env;
before(async () => { env = await setup('[rate_limits]\ncomments = { burst = 100, every_ms = 1 }'); });
after(async () => { await env?.close(); });

test('approving a held comment in the admin UI publishes it in the widget', async () => {
  await addModerator(env.riposte, 'mona', 'eine lange Passphrase');
  const visitor = await env.browser.newContext();
  const page = await env.open('/moderated/?site=held', { context: visitor });
  await page.locator('.riposte').waitFor();
  const shown = Date.now();
  await page.getByLabel('Your comment').fill('Bitte prüfen und freigeben');
  await page.getByLabel('Name (optional)').fill('Vera');
  await humanly(shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  assert.match(await statusText(page), /awaiting moderation/);
  // After a reload the author still sees the held comment (through its token); the count says 0.
  await page.reload();
  await page.locator('.riposte-pending').waitFor();
  assert.equal(await page.locator('.riposte-heading').textContent(), 'No comments yet');

  const admin = await (await env.browser.newContext()).newPage();
  await admin.goto(env.riposte.url + '/admin');
  assert.match(admin.url(), /\/admin\/login$/);
  await admin.getByLabel('Username').fill('mona');
  await admin.getByLabel('Password').fill('eine lange Passphrase');
  await admin.getByRole('button', { name: 'Log in' }).click();
  const row = admin.locator('li.row', { hasText: 'Bitte prüfen und freigeben' });
  await row.waitFor();
  assert.match(await row.textContent(), /the site holds every comment/);
  await row.getByRole('button', { name: 'Approve' }).click();
  await admin.locator('.done').waitFor();
  assert.equal(await admin.locator('li.row', { hasText: 'Bitte prüfen und freigeben' }).count(), 0);

  // Anyone loading the page now sees it.
  const stranger = await env.open('/moderated/?site=held');
  await stranger.locator('.riposte-comment', { hasText: 'Bitte prüfen und freigeben' }).waitFor();
  assert.equal(await stranger.locator('.riposte-heading').textContent(), '1 comment');
  assert.equal(await stranger.locator('.riposte-pending').count(), 0);
  assert.deepEqual(admin.context().pages().length, 1);
});
