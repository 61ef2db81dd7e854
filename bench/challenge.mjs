// Time to solve a proof-of-work challenge in headless Chromium with the widget's own solver (sha256 and
// search, taken from widget/embed.js), in a Blob worker as the widget runs it, from postMessage to answer.
// Prints {median_ms, ...} as JSON.
//     node bench/challenge.mjs RIPOSTE_URL SITE [RUNS] [MODE]   challenges from a running server (pow on)
//     node bench/challenge.mjs - MAXNUMBER [RUNS] [MODE]        synthetic challenges, number uniform in 0..MAXNUMBER
// MODE: worker (default, the widget's path), main (the strict-CSP fallback: slices on the main thread), or
// subtle (the same search awaiting crypto.subtle.digest per number, for comparison).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { launch, startHost } from '../tests/browser/lib.mjs';

const [server = '-', siteOrMax = '100000', runs = '21', mode = 'worker'] = process.argv.slice(2);
const src = readFileSync(new URL('../widget/embed.js', import.meta.url), 'utf8');
// The text of `function NAME(...) {...}` in embed.js, by matching braces.
const fn = (name) => {
  const start = src.indexOf(`function ${name}(`);
  if (start < 0) throw new Error(`embed.js has no function ${name}`);
  let depth = 0;
  for (let i = src.indexOf('{', start); i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(start, i + 1);
  }
  throw new Error(`unbalanced ${name}`);
};

async function challenge() {
  if (server !== '-') {
    const r = await fetch(`${server}/api/v1/challenge?site=${encodeURIComponent(siteOrMax)}`);
    if (r.status !== 200) throw new Error(`GET challenge answered ${r.status}: is proof of work on for ${siteOrMax}?`);
    return r.json();
  }
  const maxnumber = Number(siteOrMax);
  const salt = `${randomBytes(12).toString("hex")}?expires=${Math.floor(Date.now() / 1000) + 600}&`;
  const number = Math.floor(Math.random() * (maxnumber + 1));
  return { algorithm: 'SHA-256', challenge: createHash('sha256').update(salt + number).digest('hex'), salt, signature: '', maxnumber };
}

// A secure-context page (loopback), as the widget's host page would be.
const host = await startHost();
host.riposte = 'http://127.0.0.1:9';
const browser = await launch();
const page = await browser.newPage();
await page.goto(`${host.origin}/bench/`);
const times = [];
const numbers = [];
for (let i = 0; i < Number(runs); i++) {
  const d = await challenge();
  const { ms, number } = await page.evaluate(async ({ d, sha256, search, mode }) => {
    const t0 = performance.now();
    let number;
    if (mode === 'worker') {
      const url = URL.createObjectURL(new Blob([`const sha=(${sha256})();onmessage=(e)=>postMessage((${search})(e.data,0,e.data.maxnumber,sha))`], { type: 'text/javascript' }));
      const w = new Worker(url);
      number = await new Promise((ok) => { w.onmessage = (e) => ok(e.data); w.postMessage(d); });
      w.terminate();
      URL.revokeObjectURL(url);
    } else if (mode === 'main') {
      const sha = (0, eval)(`(${sha256})`)();
      const find = (0, eval)(`(${search})`);
      for (let n = 0, end; n <= d.maxnumber; n = end + 1) {
        end = Math.min(n + 1e4, d.maxnumber);
        number = find(d, n, end, sha);
        if (number >= 0) break;
        await new Promise((r) => setTimeout(r));
      }
    } else {
      const enc = new TextEncoder();
      for (let n = 0; n <= d.maxnumber; n++) {
        const h = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(d.salt + n)));
        if ([...h].map((b) => b.toString(16).padStart(2, '0')).join('') === d.challenge) { number = n; break; }
      }
    }
    return { ms: performance.now() - t0, number };
  }, { d, sha256: fn('sha256'), search: fn('search'), mode });
  if (!(number >= 0) || createHash('sha256').update(d.salt + number).digest('hex') !== d.challenge) throw new Error(`wrong answer ${number}`);
  times.push(Math.round(ms * 10) / 10);
  numbers.push(number);
}
await browser.close();
await host.close();
const sorted = [...times].sort((a, b) => a - b);
const hashes = numbers.reduce((a, b) => a + b + 1, 0);
console.log(JSON.stringify({
  mode, maxnumber: (await challenge()).maxnumber, median_ms: sorted[Math.floor(sorted.length / 2)], min_ms: sorted[0], max_ms: sorted.at(-1),
  us_per_hash: Math.round((times.reduce((a, b) => a + b, 0) * 1000 / hashes) * 100) / 100, runs: times,
}));
