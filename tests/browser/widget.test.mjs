// The widget in a real Chromium, embedded cross-origin on a host page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { humanly, setup, statusText } from './lib.mjs';

let env;
before(async () => { env = await setup('[rate_limits]\ncomments = { burst = 1000, every_ms = 1 }'); });
after(async () => { await env?.close(); });

const thread = (page) => page.locator('#riposte-thread .riposte');

test('renders a thread with nested replies, names, links, times and counts', async () => {
  const a = await env.riposte.post({ site: 'test', uri: '/render/', text: 'Erster *Kommentar* mit www.example.org', author: 'Anna', website: 'https://anna.example/' });
  const b = await env.riposte.post({ site: 'test', uri: '/render/', parent: a.id, text: 'Eine Antwort' });
  let parent = b;
  for (let i = 0; i < 4; i++) parent = await env.riposte.post({ site: 'test', uri: '/render/', parent: parent.id, text: `Tiefe ${i + 2}`, author: `Tief${i + 2}` });
  const page = await env.open('/render/');
  await thread(page).waitFor();
  assert.equal(await page.locator('.riposte-heading').textContent(), '6 comments');
  const first = page.locator(`#riposte-${a.id}`);
  assert.equal(await first.locator('> .riposte-meta .riposte-author').textContent(), 'Anna');
  assert.equal(await first.locator('> .riposte-meta a.riposte-author').getAttribute('rel'), 'nofollow ugc noopener noreferrer');
  assert.equal(await first.locator('> .riposte-body em').textContent(), 'Kommentar');
  assert.equal(await first.locator('> .riposte-body a').getAttribute('href'), 'https://www.example.org');
  // The reply sits inside its parent's replies, and is anonymous.
  const reply = first.locator(`> .riposte-replies > #riposte-${b.id}`);
  assert.equal(await reply.locator('> .riposte-meta .riposte-author').textContent(), 'Anonymous');
  // Depth beyond three indents is shown flat, naming whom it answers.
  assert.equal(await page.locator('.riposte-replies .riposte-replies .riposte-replies .riposte-replies').count(), 0);
  assert.match(await page.locator('.riposte-parent').first().textContent(), /^in reply to Tief/);
  const time = first.locator('> .riposte-meta time');
  assert.equal(await time.getAttribute('datetime'), a.created);
  assert.ok((await time.getAttribute('title')).includes('2026') || (await time.getAttribute('title')).length > 8);
  assert.ok(await first.locator('> .riposte-meta svg.riposte-avatar rect').count() > 0);
  // Voting updates the count in place; the button is named by its word and count.
  const like = first.locator('> .riposte-actions').getByRole('button', { name: 'Like 0', exact: true });
  await like.click();
  await first.locator('> .riposte-actions').getByRole('button', { name: 'Like 1', exact: true }).waitFor();
  assert.equal(await first.locator('> .riposte-actions .riposte-vote').first().getAttribute('aria-pressed'), 'true');
  assert.deepEqual(page.errors, []);
});

test('posts, replies, edits and deletes through the UI', async () => {
  const page = await env.open('/ui/');
  await thread(page).waitFor();
  assert.equal(await page.locator('.riposte-heading').textContent(), 'No comments yet');
  const shown = Date.now();
  await page.getByLabel('Your comment').fill('Hallo **Welt**');
  await page.getByLabel('Name (optional)').fill('Bea');
  await humanly(shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  const mine = page.locator('.riposte-comment').first();
  await mine.locator('.riposte-body strong').waitFor();
  assert.equal(await statusText(page), 'Your comment has been published.');
  assert.equal(await page.locator('.riposte-heading').textContent(), '1 comment');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'riposte-comment');
  assert.equal(await page.getByLabel('Your comment').inputValue(), '');

  // Reply to it.
  await mine.getByRole('button', { name: 'Reply' }).click();
  const opened = Date.now();
  const replyBox = page.getByLabel('Reply to Bea');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'text');
  await replyBox.fill('Antwort an Bea');
  await humanly(opened);
  await mine.locator('form').getByRole('button', { name: 'Post comment' }).click();
  const reply = mine.locator('.riposte-replies .riposte-comment');
  await reply.waitFor();
  assert.equal((await reply.locator('.riposte-body').textContent()).trim(), 'Antwort an Bea');
  assert.equal(await page.locator('.riposte-heading').textContent(), '2 comments');

  // Edit the first comment in place.
  await mine.locator('> .riposte-actions').getByRole('button', { name: 'Edit' }).click();
  const editor = mine.locator('form.riposte-edit textarea');
  assert.equal(await editor.inputValue(), 'Hallo **Welt**');
  await editor.fill('Hallo *Welt*, bearbeitet');
  await mine.getByRole('button', { name: 'Save' }).click();
  await mine.locator('> .riposte-body em').waitFor();
  assert.equal(await mine.locator('> .riposte-meta .riposte-edited').textContent(), 'edited');

  // Delete it: it has a reply, so a placeholder stays; the change survives a reload.
  const del = mine.locator('> .riposte-actions').getByRole('button', { name: 'Delete' });
  await del.click();
  await mine.locator('> .riposte-actions').getByRole('button', { name: 'Really delete?' }).click();
  await page.locator('.riposte-deleted').waitFor();
  assert.equal(await statusText(page), 'Your comment has been deleted.');
  await page.reload();
  await thread(page).waitFor();
  assert.equal(await page.locator('.riposte-deleted').textContent(), 'This comment was deleted.');
  assert.equal(await page.locator('.riposte-heading').textContent(), '1 comment');
  // The reply is still its author's to edit after the reload (token kept in localStorage).
  assert.equal(await page.locator('.riposte-replies .riposte-comment').getByRole('button', { name: 'Edit' }).count(), 1);
  assert.deepEqual(page.errors, []);
});

test('a comment held for moderation shows a notice', async () => {
  const page = await env.open('/held/?site=held');
  await thread(page).waitFor();
  await page.getByLabel('Your comment').fill('Bitte freigeben');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.riposte-pending').waitFor();
  assert.match(await statusText(page), /awaiting moderation/);
  assert.equal(await page.locator('.riposte-heading').textContent(), 'No comments yet');
});

test('German strings on a German page', async () => {
  const a = await env.riposte.post({ site: 'test', uri: '/de/', text: 'Servus' });
  await env.riposte.post({ site: 'test', uri: '/de/', text: 'Grüß Gott', parent: a.id });
  const page = await env.open('/de/?lang=de');
  await thread(page).waitFor();
  assert.equal(await page.locator('.riposte-heading').textContent(), '2 Kommentare');
  assert.equal(await page.locator('.riposte-author').first().textContent(), 'Anonym');
  assert.equal(await page.getByRole('button', { name: 'Kommentar senden' }).count(), 1);
  assert.equal(await page.getByLabel('Ihr Kommentar').count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Antworten' }).count(), 2);
  await page.getByRole('button', { name: 'Kommentar senden' }).click();
  assert.equal(await statusText(page), 'Bitte schreiben Sie zuerst einen Kommentar.');
  assert.equal(await page.locator('.riposte').getAttribute('lang'), 'de');
});

test('count mode fills every count element with one request', async () => {
  await env.riposte.post({ site: 'test', uri: '/count-a/', text: 'eins' });
  await env.riposte.post({ site: 'test', uri: '/count-a/', text: 'zwei' });
  await env.riposte.post({ site: 'test', uri: '/count-b/', text: 'drei' });
  const requests = [];
  const context = await env.browser.newContext();
  context.on('request', (r) => r.url().includes('/api/v1/') && requests.push(r.url()));
  const page = await env.open('/?counts=/count-a/,/count-b/,/count-c/&lang=de', { context });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-riposte-count]')].every((e) => e.textContent !== '?'));
  const texts = await page.locator('[data-riposte-count]').allTextContents();
  assert.deepEqual(texts, ['2 Kommentare', '1 Kommentar', 'Noch keine Kommentare']);
  assert.equal(requests.length, 1);
  assert.match(requests[0], /\/api\/v1\/counts\?/);
  assert.equal(await page.locator('.riposte').count(), 0);
});

test('an XSS payload in every field runs nothing', async () => {
  const payloads = [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))',
    '<svg onload=alert(1)>', '"><script>alert(1)</script>', "'onmouseover='alert(1)",
  ];
  for (const p of payloads) await env.riposte.post({ site: 'test', uri: '/xss/', text: p, author: p, website: 'https://example.org/"><script>alert(1)</script>' });
  const page = await env.open('/xss/');
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  await page.addInitScript(() => {});
  await thread(page).waitFor();
  await page.locator('.riposte-comment').nth(payloads.length - 1).waitFor();
  // Hover and focus everything that could carry a handler.
  for (const el of await page.locator('.riposte-comment a, .riposte-comment .riposte-body *').all()) await el.hover().catch(() => {});
  assert.equal(dialogs, 0);
  assert.equal(await page.locator('#riposte-thread script, #riposte-thread img, #riposte-thread iframe').count(), 0);
  const handlers = await page.evaluate(() => [...document.querySelectorAll('#riposte-thread *')]
    .flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value)).map((a) => a.name)));
  assert.deepEqual(handlers, []);
  // The payloads are visible as text.
  const authors = await page.locator('.riposte-author').allTextContents();
  for (const p of payloads) assert.ok(authors.includes(p), p);
  assert.deepEqual(page.errors, []);
});

test('works under a strict CSP that allows only the comment server', async () => {
  await env.riposte.post({ site: 'test', uri: '/csp/', text: 'Unter CSP' });
  const page = await env.open('/csp/?csp=1');
  const violations = [];
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  await thread(page).waitFor();
  await page.getByLabel('Your comment').fill('Auch posten geht');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.riposte-comment', { hasText: 'Auch posten geht' }).waitFor();
  // The stylesheet applied: the form's grid layout comes from embed.css.
  assert.equal(await page.locator('.riposte-form').first().evaluate((e) => getComputedStyle(e).display), 'grid');
  assert.deepEqual(violations, []);
});

test('the dark theme applies', async () => {
  await env.riposte.post({ site: 'test', uri: '/dark/', text: 'Im Dunkeln' });
  const page = await env.open('/dark/?theme=dark');
  await thread(page).waitFor();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.riposte')).backgroundColor === 'rgb(13, 17, 23)');
  assert.equal(await thread(page).evaluate((e) => getComputedStyle(e).color), 'rgb(230, 237, 243)');
  // Auto follows the reader's system preference.
  const ctx = await env.browser.newContext({ colorScheme: 'dark' });
  const auto = await env.open('/dark/', { context: ctx });
  await thread(auto).waitFor();
  await auto.waitForFunction(() => getComputedStyle(document.querySelector('.riposte')).backgroundColor === 'rgb(13, 17, 23)');
});

test('axe-core finds no serious accessibility violation, light or dark', async () => {
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const a = await env.riposte.post({ site: 'test', uri: '/a11y/', text: 'Ein Kommentar mit [Link](https://example.org)', author: 'Anna', website: 'https://anna.example' });
  await env.riposte.post({ site: 'test', uri: '/a11y/', text: 'Eine Antwort', parent: a.id });
  for (const theme of ['light', 'dark']) {
    const page = await env.open(`/a11y/?theme=${theme}`);
    await thread(page).waitFor();
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.riposte-form')).display === 'grid');
    await page.locator('.riposte-comment > .riposte-actions').first().getByRole('button', { name: 'Reply' }).click();
    await page.evaluate(axe);
    const result = await page.evaluate(() => window.axe.run('#riposte-thread', { resultTypes: ['violations'] }));
    const serious = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], theme);
  }
});

test('keyboard alone reaches the form and posts', async () => {
  const page = await env.open('/keys/');
  await thread(page).waitFor();
  await page.locator('body').press('Tab'); // first focusable on the host page is the widget's textarea
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.name)) !== 'text'; i++) await page.keyboard.press('Tab');
  await page.keyboard.type('Nur mit der Tastatur');
  // Tab to the submit button and press Enter.
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.type)) !== 'submit'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('.riposte-comment', { hasText: 'Nur mit der Tastatur' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('riposte-comment')), true);
});

test('a long thread loads more comments on demand', async () => {
  for (let i = 0; i < 103; i++) await env.riposte.post({ site: 'test', uri: '/long/', text: `Kommentar ${i}` });
  const page = await env.open('/long/');
  await thread(page).waitFor();
  assert.equal(await page.locator('.riposte-heading').textContent(), '103 comments');
  // The button follows the page's last comment once the whole page is drawn.
  await page.getByRole('button', { name: 'Show more comments' }).waitFor();
  assert.equal(await page.locator('.riposte-comment').count(), 100);
  await page.getByRole('button', { name: 'Show more comments' }).click();
  await page.locator('.riposte-comment', { hasText: 'Kommentar 102' }).waitFor();
  assert.equal(await page.locator('.riposte-comment').count(), 103);
  assert.equal(await page.getByRole('button', { name: 'Show more comments' }).count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.textContent.includes('Kommentar 100')), true);
});

test('a long thread shows its first screen at once and the rest after the first paint, in order', async () => {
  for (let i = 0; i < 30; i++) {
    const top = await env.riposte.post({ site: 'test', uri: '/screen/', text: `Gespräch ${i}` });
    await env.riposte.post({ site: 'test', uri: '/screen/', parent: top.id, text: `Antwort ${i}` });
  }
  const ctx = await env.browser.newContext();
  // How many comments the section held when it entered the page, and in the first frame after that.
  await ctx.addInitScript(() => {
    new MutationObserver((changes, observer) => {
      if (!document.querySelector('#riposte-thread .riposte')) return;
      observer.disconnect();
      const count = () => document.querySelectorAll('#riposte-thread .riposte-comment').length;
      window.drawnAtInsert = count();
      window.busyAtInsert = document.querySelector('#riposte-thread .riposte-list').getAttribute('aria-busy');
      requestAnimationFrame(() => { window.drawnAtFirstFrame = count(); });
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await env.open('/screen/', { context: ctx });
  await page.locator('.riposte-body', { hasText: 'Antwort 29' }).waitFor();
  const [atInsert, atFrame, busy] = await page.evaluate(() => [window.drawnAtInsert, window.drawnAtFirstFrame, window.busyAtInsert]);
  // Whole conversations up to the first 20 comments, and nothing more before the first paint; the list says
  // it is busy until the rest are there.
  assert.equal(atInsert, 20);
  assert.equal(atFrame, 20);
  assert.equal(busy, 'true');
  await page.locator('.riposte-list:not([aria-busy])').waitFor({ state: 'attached' });
  // Then all of them, each reply under its own conversation, in the thread's order.
  const shown = await page.$$eval('.riposte-list > .riposte-comment', (all) => all.map((c) =>
    [c.querySelector(':scope > .riposte-body').textContent.trim(), c.querySelector('.riposte-replies .riposte-body').textContent.trim()].join(' / ')));
  assert.deepEqual(shown, Array.from({ length: 30 }, (_, i) => `Gespräch ${i} / Antwort ${i}`));
  assert.equal(await page.locator('.riposte-avatar:not(:has(rect))').count(), 0);
  assert.deepEqual(page.errors, []);
});

test('a link to a comment drawn after the first paint scrolls to it', async () => {
  const ids = [];
  for (let i = 0; i < 60; i++) ids.push((await env.riposte.post({ site: 'test', uri: '/later/', text: `Weiter unten ${i}` })).id);
  const page = await env.open(`/later/#riposte-${ids[57]}`);
  const target = page.locator(`#riposte-${ids[57]}.riposte-target`);
  await target.waitFor();
  assert.ok(await target.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'in view');
  assert.equal(await page.locator('.riposte-comment').count(), 60);
  assert.deepEqual(page.errors, []);
});

test('a long thread draws every avatar, those off the first screen after it, and paints comments scrolled to', async () => {
  for (let i = 0; i < 40; i++) await env.riposte.post({ site: 'test', uri: '/avatars/', text: `Beitrag ${i}`, author: 'Anna' });
  const page = await env.open('/avatars/');
  await thread(page).waitFor();
  // The first 20 comments are drawn at once, the rest in tasks after the first frame.
  await page.waitForFunction(() => [...document.querySelectorAll('.riposte-avatar')].every((a) => a.querySelector('rect')));
  const cells = await page.$$eval('.riposte-comment > .riposte-meta .riposte-avatar', (all) => all.map((a) =>
    a.getAttribute('fill') + ' ' + [...a.querySelectorAll('rect')].map((r) => ['x', 'y', 'width', 'height'].map((k) => r.getAttribute(k)).join(',')).join(' ')));
  assert.equal(cells.length, 40);
  // One poster, one avatar: the deferred ones are drawn exactly as the first.
  assert.equal(new Set(cells).size, 1);
  assert.match(cells[0], /^hsl\(\d+ 55% 45%\) [0-4],[0-4],1,1/);
  // A comment far below the first screen is laid out and painted once it is scrolled to.
  const last = page.locator('.riposte-comment').last();
  await last.scrollIntoViewIfNeeded();
  // content-visibility lays it out in the frame after it comes near the screen: wait for that frame.
  const body = await last.locator('.riposte-body p').elementHandle();
  const hit = await page.waitForFunction((p) => {
    const r = p.getBoundingClientRect();
    return r.height > 0 && p.contains(document.elementFromPoint(r.left + 5, r.top + r.height / 2));
  }, body, { timeout: 10000 }).then(() => true, () => false);
  assert.equal(hit, true);
  assert.deepEqual(page.errors, []);
});
