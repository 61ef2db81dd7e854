// The admin UI at a desktop's and a phone's width: no page scrolls sideways, the comments filter's controls
// never overlap, a comment card's values get room, and a moderator can approve (one or several) at 360 px.
// Screenshots of the queue and the comments page go to target/test-screenshots/; with UPDATE_SCREENSHOTS=1
// to docs/screenshots/, where they are committed (their timestamps change on every run).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { addModerator, setup } from './lib.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'target/test-screenshots');
const WIDTHS = [1200, 390, 360];
const HEIGHT = { 1200: 800, 900: 800, 390: 844, 360: 780 };

// What makes a card wide: a long page title, a long address, a link and a word with no break in them.
const TITLE = 'Kommentare selbst hosten: ein Jahr ohne Tracker, ohne Cookie-Banner und ohne langsamere Seiten';
const EMAIL = 'vera.von.der.langen.adresse.die.niemand.tippen.will@eine.recht.lange.subdomain.beispiel.example';
const WEBSITE = 'https://vera.example/' + 'einpfadohnejedenumbruch'.repeat(8);
const WORD = 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt';
const URI = '/archiv/' + 'seitenadresseohneumbruch'.repeat(6) + '/';

let env;
let mod; // the moderator's logged-in context
let held = []; // ids of the held comments, in the order they were written
let first; // the held comment with every long field

/** Posts through the public API as the site's own page would (a title is kept only with an Origin). */
async function post(body) {
  const r = await fetch(env.riposte.url + '/api/v1/comments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: env.host.origin },
    body: JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`seeding failed: ${r.status} ${await r.text()}`);
  return (await r.json()).comment;
}

async function page(width, path) {
  const p = mod.pages()[0] || (await mod.newPage());
  await p.setViewportSize({ width, height: HEIGHT[width] });
  await p.goto(env.riposte.url + path);
  return p;
}

const sideways = (p) => p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));

before(async () => {
  env = await setup('[rate_limits]\ncomments = { burst = 100, every_ms = 1 }');
  await addModerator(env.riposte, 'mona', 'eine lange Passphrase');
  first = await post({ site: 'held', uri: '/2026/11/selbst-hosten/', title: TITLE, author: 'Vera von der Langen Adresse', email: EMAIL, website: WEBSITE, text: `Mehr dazu unter ${WEBSITE} und bei der ${WORD}.` });
  held.push(first.id);
  held.push((await post({ site: 'held', uri: URI, author: 'Jonas', email: 'jonas@example.org', text: 'Eine Seite ohne Titel: ihre Adresse steht an seiner Stelle.' })).id);
  for (let i = 1; i <= 4; i++) {
    held.push((await post({ site: 'held', uri: '/2026/11/selbst-hosten/', title: TITLE, author: `Leserin ${i}`, text: `Noch ein zurückgehaltener Kommentar, Nummer ${i}.` })).id);
  }
  for (let i = 1; i <= 3; i++) {
    await post({ site: 'test', uri: URI, title: TITLE + ` (Teil ${i})`, author: 'Katrin', email: EMAIL, website: WEBSITE, text: `Veröffentlicht, Nummer ${i}: ${WORD}` });
  }
  mod = await env.browser.newContext();
  const p = await mod.newPage();
  await p.goto(env.riposte.url + '/admin/login');
  await p.getByLabel('Username').fill('mona');
  await p.getByLabel('Password').fill('eine lange Passphrase');
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.locator('li.row').first().waitFor();
  // A held comment names no page; its moderator does.
  await p.goto(env.riposte.url + `/admin/comments/${first.id}`);
  await p.getByLabel('Title of the page').fill(TITLE);
  await p.locator('form', { has: p.getByLabel('Title of the page') }).getByRole('button', { name: 'Save' }).click();
  await p.locator('.done').waitFor();
  // Something in the trash and a ban with a long address, so those pages have rows to lay out.
  await p.goto(env.riposte.url + '/admin/comments?site=test');
  await p.locator('li.row').last().getByRole('button', { name: 'Delete' }).click();
  await p.locator('.done').waitFor();
  await p.goto(env.riposte.url + '/admin/bans');
  await p.getByLabel('Email').fill(EMAIL);
  await p.getByLabel('Reason').fill('Wiederholt Werbung für ' + WEBSITE);
  await p.getByRole('button', { name: 'Ban', exact: true }).click();
  await p.locator('table').waitFor();
});
after(async () => { await env?.close(); });

test('no admin page scrolls sideways at 1200, 390 or 360 px', async () => {
  const paths = ['/admin', '/admin/comments', '/admin/trash', `/admin/comments/${first.id}`, '/admin/sites', '/admin/bans',
    '/admin/privacy', '/admin/import', '/admin/export', '/admin/outbox', '/admin/account', '/admin/sites/held/webhooks'];
  const wide = [];
  const stranger = await (await env.browser.newContext()).newPage();
  for (const width of WIDTHS) {
    for (const path of paths) {
      const p = await page(width, path);
      assert.ok(!p.url().endsWith('/admin/login'), `${path} asked for a login`);
      assert.equal(await p.locator('meta[name=viewport]').getAttribute('content'), 'width=device-width, initial-scale=1', path);
      const { scroll, inner } = await sideways(p);
      if (scroll > inner) wide.push(`${path} at ${width} px: ${scroll} px wide`);
    }
    await stranger.setViewportSize({ width, height: HEIGHT[width] });
    await stranger.goto(env.riposte.url + '/admin/login');
    const { scroll, inner } = await sideways(stranger);
    if (scroll > inner) wide.push(`/admin/login at ${width} px: ${scroll} px wide`);
  }
  assert.deepEqual(wide, []);
});

test('the comments filter: no two controls overlap, at 1200, 900, 390 and 360 px', async () => {
  for (const width of [1200, 900, 390, 360]) {
    const p = await page(width, '/admin/comments');
    const boxes = await p.locator('.filter').evaluate((form) => [...form.querySelectorAll('input, select, button')]
      .map((el) => { const r = el.getBoundingClientRect(); return { name: el.name || el.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom }; }));
    assert.equal(boxes.length, 5);
    const inner = await p.evaluate(() => window.innerWidth);
    for (const [i, a] of boxes.entries()) {
      assert.ok(a.left >= 0 && a.right <= inner, `${a.name} leaves the screen at ${width} px`);
      for (const b of boxes.slice(i + 1)) {
        const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        assert.ok(!overlap, `${a.name} overlaps ${b.name} at ${width} px: ${JSON.stringify([a, b])}`);
      }
    }
  }
});

test('comment cards give their values room on a phone, and the page title a few lines', async () => {
  for (const width of WIDTHS) {
    for (const path of ['/admin', '/admin/comments']) {
      const p = await page(width, path);
      const card = p.locator(`#c${first.id}`);
      const cells = await card.evaluate((row) => {
        const width = row.getBoundingClientRect().width;
        return [...row.querySelectorAll('.meta dd')].map((dd) => ({ text: dd.textContent.slice(0, 30), share: dd.getBoundingClientRect().width / width }));
      });
      for (const c of cells) assert.ok(c.share >= 0.4, `"${c.text}" is ${Math.round(c.share * 100)}% of the card at ${width} px on ${path}`);
      const title = await card.getByRole('link', { name: TITLE }).evaluate((a) => {
        const lines = a.getClientRects().length; // one box per line of an inline element
        return { lines, height: a.closest('dd').getBoundingClientRect().height, line: parseFloat(getComputedStyle(a).lineHeight) };
      });
      assert.ok(title.lines < 5 && title.height < 5 * title.line, `the page title takes ${title.lines} lines at ${width} px on ${path}`);
    }
  }
});

test('at 360 px a moderator approves one comment and several at once', async () => {
  const p = await page(360, '/admin');
  const { scroll } = await sideways(p);
  assert.ok(scroll <= 360, `the queue is ${scroll} px wide`);
  const inside = async (locator) => {
    const r = await locator.boundingBox();
    assert.ok(r && r.x >= 0 && r.x + r.width <= 360, `${await locator.textContent()} is off the screen: ${JSON.stringify(r)}`);
  };
  const one = p.locator(`#c${held[2]}`);
  const approve = one.getByRole('button', { name: 'Approve' });
  await inside(approve);
  await approve.click();
  await p.locator('.done').waitFor();
  assert.equal(await p.locator(`#c${held[2]}`).count(), 0);

  const bulk = p.locator('.bulk');
  for (const name of ['Approve', 'Spam', 'Delete']) await inside(bulk.getByRole('button', { name }));
  for (const id of [held[3], held[4]]) {
    const box = p.getByLabel(`Select #${id}`);
    await inside(box);
    await box.check();
  }
  await bulk.getByRole('button', { name: 'Approve' }).click();
  await p.locator('.done').waitFor();
  assert.equal(await p.locator(`#c${held[3]}, #c${held[4]}`).count(), 0);
  assert.equal(await p.locator(`#c${held[0]}`).count(), 1);
});

test('right to left: the stylesheet names no physical side, so a card mirrors', async () => {
  const css = readFileSync(join(ROOT, 'server/templates/admin/admin.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const physical = css.match(/[^;{}]*\b(left|right)\b[^;{}]*/g) || [];
  assert.deepEqual(physical.map((d) => d.trim()), []);
  const p = await page(1200, '/admin');
  await p.evaluate(() => { document.documentElement.dir = 'rtl'; });
  const card = await p.locator(`#c${first.id}`).evaluate((el) => { const s = getComputedStyle(el); return [s.borderRightWidth, s.borderLeftWidth]; });
  assert.deepEqual(card, ['4px', '1px']);
});

test('screenshots of the queue and the comments page at 1200 and 390 px', async () => {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [1200, 390]) {
    for (const [name, path] of [['queue', '/admin'], ['comments', '/admin/comments']]) {
      const p = await page(width, path);
      await p.screenshot({ path: join(SHOTS, `admin-${name}-${width}.png`) });
    }
  }
});
