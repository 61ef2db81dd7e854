// The page without JavaScript, in a Chromium that runs no script: read, post, reply, all through plain
// links and forms, each landing on its comment's anchor; axe-core finds nothing serious on the page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { humanly, setup } from './lib.mjs';

let env;
before(async () => { env = await setup('[rate_limits]\ncomments = { burst = 1000, every_ms = 1 }'); });
after(async () => { await env?.close(); });

/** A page in a context with JavaScript off, at the no-JS page of `uri` on site `site`. */
async function open(uri, site = 'test', options = {}) {
  const ctx = await env.browser.newContext({ javaScriptEnabled: false, ...options });
  const page = await ctx.newPage();
  // Script errors cannot happen here; a failed request or a CSP violation can. (Browsers ask every site
  // for its /favicon.ico; riposte has none.)
  page.errors = [];
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && page.errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && page.errors.push(`${r.status()} ${r.url()}`));
  await page.goto(`${env.riposte.url}/t/${site}?uri=${encodeURIComponent(uri)}`);
  return page;
}

const anchor = (page) => new URL(page.url()).hash;

test('posts a comment and a reply through the plain forms, landing on each', async () => {
  const page = await open('/nojs/');
  assert.equal(await page.locator('.riposte-heading').textContent(), 'No comments yet');
  assert.equal(await page.getByRole('link', { name: 'Back to the page' }).getAttribute('href'), `${env.host.origin}/nojs/`);
  // Styled by the widget's own stylesheet.
  assert.equal(await page.locator('.riposte-form').evaluate((f) => getComputedStyle(f).display), 'grid');
  assert.ok((await page.locator('.riposte-trap input').boundingBox()).x < 0, 'the trap field is off-screen');

  const shown = Date.now();
  await page.getByLabel('Your comment').fill('Ganz ohne **Skript**');
  await page.getByLabel('Name (optional)').fill('Nora');
  await humanly(shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.waitForURL(/#riposte-\d+$/);
  const id = anchor(page).slice('#riposte-'.length);
  const mine = page.locator(`#riposte-${id}`);
  assert.equal(await mine.locator('> .riposte-body strong').textContent(), 'Skript');
  assert.equal(await mine.locator('> .riposte-meta .riposte-author').textContent(), 'Nora');
  assert.equal(await page.locator('.riposte-heading').textContent(), '1 comment');
  assert.ok(await mine.evaluate((el) => el.matches(':target')), 'the anchor names the new comment');

  // Reply: the link opens a form under the comment.
  await mine.locator('> .riposte-actions').getByRole('link', { name: 'Reply' }).click();
  await page.waitForURL(/reply=/);
  assert.equal(anchor(page), '#riposte-form');
  const opened = Date.now();
  const form = page.locator(`#riposte-${id} > form.riposte-form`);
  await form.getByLabel('Reply to Nora').fill('Eine Antwort ohne Skript');
  assert.equal(await form.getByRole('link', { name: 'Cancel' }).getAttribute('href'), `/t/test?uri=%2Fnojs%2F#riposte-${id}`);
  await humanly(opened);
  await form.getByRole('button', { name: 'Post comment' }).click();
  await page.waitForURL((u) => /#riposte-\d+$/.test(u.hash) && u.hash !== `#riposte-${id}`);
  const rid = anchor(page).slice('#riposte-'.length);
  const reply = page.locator(`#riposte-${id} > .riposte-replies > #riposte-${rid}`);
  assert.equal((await reply.locator('.riposte-body').textContent()).trim(), 'Eine Antwort ohne Skript');
  assert.equal(await page.locator('.riposte-heading').textContent(), '2 comments');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a held comment tells its author so, and a refused field comes back marked', async () => {
  const page = await open('/nojs-held/', 'held');
  const shown = Date.now();
  await page.getByLabel('Your comment').fill('Bitte freigeben');
  await page.getByLabel('Website (optional)').fill('kein-link');
  await humanly(shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  const website = page.getByLabel('Website (optional)');
  assert.equal(await website.getAttribute('aria-invalid'), 'true');
  assert.equal(await website.inputValue(), 'kein-link');
  assert.equal(await page.getByLabel('Your comment').inputValue(), 'Bitte freigeben');
  assert.equal(await page.locator('#riposte-f-website-error').textContent(), 'Please check the field “Website”.');
  await website.fill('https://nora.example');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.waitForURL(/held=.*#riposte-\d+$/);
  const notice = page.locator(anchor(page));
  assert.match(await notice.textContent(), /awaiting moderation/);
  assert.equal(await page.locator('.riposte-comment').count(), 0, 'not shown before a moderator approves it');
  await page.context().close();
});

test('axe-core finds no serious accessibility violation on the page, light or dark', async () => {
  const c = await env.riposte.post({ site: 'test', uri: '/nojs-a11y/', text: 'Ein Kommentar mit [Link](https://example.org)', author: 'Anna', website: 'https://anna.example' });
  await env.riposte.post({ site: 'test', uri: '/nojs-a11y/', text: 'Eine Antwort', parent: c.id });
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  for (const colorScheme of ['light', 'dark']) {
    for (const extra of ['', `&reply=${c.id}`]) {
      // axe is a script: it runs in a context with JavaScript, past the page's CSP, on the same page.
      const ctx = await env.browser.newContext({ colorScheme, bypassCSP: true });
      const page = await ctx.newPage();
      await page.goto(`${env.riposte.url}/t/test?uri=${encodeURIComponent('/nojs-a11y/')}${extra}`);
      await page.evaluate(axe);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const serious = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
      assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `${colorScheme} ${extra}`);
      await ctx.close();
    }
  }
});
