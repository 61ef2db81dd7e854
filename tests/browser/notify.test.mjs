// Reply notifications in the widget: the checkbox under the email field appears only when the server mails
// them, sends `notify: true` with the comment, and a ticked box without an email points at the email field.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { humanly, setup, statusText } from './lib.mjs';

/** A loopback port nothing listens on: mail is configured but the messages only wait in the outbox. */
const closedPort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => ok(port));
  });
});

let mailing, silent;
before(async () => {
  const port = await closedPort();
  mailing = await setup(`[smtp]
host = "127.0.0.1"
port = ${port}
security = "none"
from = "Kommentare <riposte@blog.example>"`);
  silent = await setup('');
});
after(async () => {
  await mailing?.close();
  await silent?.close();
});

async function open(env) {
  const context = await env.browser.newContext();
  const posts = [];
  context.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/comments')) posts.push(r.postDataJSON());
  });
  const page = await env.open('/notify/?site=test', { context });
  await page.locator('#riposte-thread .riposte').waitFor();
  page.shown = Date.now();
  page.posts = posts;
  return page;
}

const box = (page) => page.getByLabel('Email me when someone replies');

test('without mail the form offers no notifications', async () => {
  const page = await open(silent);
  await page.getByLabel('Email (optional)').waitFor();
  assert.equal(await box(page).count(), 0);
});

test('with mail the box sends notify: true and the visitor is told to confirm', async () => {
  const page = await open(mailing);
  await page.getByLabel('Your comment').fill('Bitte sagt mir Bescheid');
  await page.getByLabel('Email (optional)').fill('leserin@blog.example');
  await box(page).check();
  await humanly(page.shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.riposte-comment', { hasText: 'Bitte sagt mir Bescheid' }).waitFor();
  assert.equal(page.posts.length, 1);
  assert.equal(page.posts[0].notify, true);
  assert.equal(page.posts[0].email, 'leserin@blog.example');
  assert.match(await statusText(page), /confirm the email we sent you/);
  assert.equal(await box(page).isChecked(), false, 'the next comment asks afresh');
  // Without the box ticked, nothing is asked for.
  page.shown = Date.now();
  await page.getByLabel('Your comment').fill('Und noch etwas');
  await humanly(page.shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.riposte-comment', { hasText: 'Und noch etwas' }).waitFor();
  assert.equal(page.posts[1].notify, undefined);
});

test('a ticked box without an email is refused and the email field gets the focus', async () => {
  const page = await open(mailing);
  await page.getByLabel('Your comment').fill('Ohne Adresse');
  await box(page).check();
  await humanly(page.shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  const email = page.getByLabel('Email (optional)');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('.riposte-comment', { hasText: 'Ohne Adresse' }).count(), 0);
});
