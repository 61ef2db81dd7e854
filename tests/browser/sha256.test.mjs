// The widget's own SHA-256 (the proof of work's hash) against Node's, at every length around the block
// boundaries, and its search finding the number a challenge was made from.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const src = readFileSync(new URL('../../widget/embed.js', import.meta.url), 'utf8');
// `function NAME(...) {...}` from embed.js, by matching braces; the worker gets its functions the same way.
const fn = (name) => {
  const start = src.indexOf(`function ${name}(`);
  let depth = 0;
  for (let i = src.indexOf('{', start); ; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return new Function(`return (${src.slice(start, i + 1)})`)();
  }
};
const hex = (words) => Array.from(words, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');

test('sha256 matches node:crypto for every length from 0 to 200 characters', () => {
  const sha = fn('sha256')();
  for (let len = 0; len <= 200; len++) {
    const m = Array.from({ length: len }, (_, i) => String.fromCharCode(32 + ((i * 31 + len) % 95))).join('');
    assert.equal(hex(sha(m)), createHash('sha256').update(m).digest('hex'), `length ${len}`);
  }
});

test('search finds the number of an ALTCHA challenge, and -1 outside its range', () => {
  const sha = fn('sha256')();
  const search = fn('search');
  const salt = '0f1e2d3c4b5a69788796a5b4?expires=1999999999';
  const challenge = createHash('sha256').update(salt + 4321).digest('hex');
  assert.equal(search({ salt, challenge }, 0, 10000, sha), 4321);
  assert.equal(search({ salt, challenge }, 0, 4320, sha), -1);
  assert.equal(search({ salt, challenge }, 4321, 4321, sha), 4321);
});
