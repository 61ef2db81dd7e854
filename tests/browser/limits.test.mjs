// What a visitor sees when the server says no: the rate limit's 429, localized, with the wait.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { humanly, setup, statusText } from './lib.mjs';

let env;
before(async () => { env = await setup('[rate_limits]\ncomments = { burst = 1, every_ms = 60000 }'); });
after(async () => { await env?.close(); });

test('a 429 says when to try again, in English and German', async () => {
  const page = await env.open('/limit/');
  await page.locator('.riposte').waitFor();
  const shown = Date.now();
  await page.getByLabel('Your comment').fill('Der erste geht durch');
  await humanly(shown);
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.riposte-comment').waitFor();
  await page.getByLabel('Your comment').fill('Der zweite nicht');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.riposte-status.riposte-error').waitFor();
  assert.match(await statusText(page), /^You are posting too quickly\. Please try again in \d+ seconds\.$/);
  // Nothing was lost from the form, and the button is usable again.
  assert.equal(await page.getByLabel('Your comment').inputValue(), 'Der zweite nicht');
  assert.equal(await page.getByRole('button', { name: 'Post comment' }).isEnabled(), true);
  const de = await env.open('/limit/?lang=de');
  await de.locator('.riposte').waitFor();
  await de.getByLabel('Ihr Kommentar').fill('Noch einer');
  await de.getByRole('button', { name: 'Kommentar senden' }).click();
  await de.locator('.riposte-status.riposte-error').waitFor();
  assert.match(await statusText(de), /^Sie schreiben zu schnell\. Bitte versuchen Sie es in \d+ Sekunden erneut\.$/);
});
