// Time from embed.js arriving (its Resource Timing `responseEnd`) to the first comment painted, in headless
// Chromium, for a page whose thread has 200 comments. Each load is a fresh browser context: an empty HTTP
// cache, so the script is fetched and compiled again, as for a first-time visitor. See bench/WIDGET.md.
//
//     node bench/widget.mjs URL RUNS
//         measure a host page that is already served (bench/run.py's widget part starts riposte, seeds the
//         thread and serves the page, then calls this)
//     RIPOSTE_BIN=target/release/riposte node bench/widget.mjs --serve [--runs 15] [--warmup 3]
//             [--js FILE] [--css FILE] [--trace FILE]
//         start everything here: the binary on a fresh database with run.py's 200-comment thread, run.py's
//         host page, a warmed thread answer, `--warmup` loads that are not counted, then `--runs` loads.
//         `--js` serves FILE (English strings filled in as the server does) in place of the binary's
//         embed.js and `--css` FILE in place of its embed.css, to compare widget versions without a
//         rebuild (playwright then routes every request of the page through node, which adds to `answer`:
//         compare such runs only with each other). `--trace` writes a Chromium performance trace of one
//         more load (chrome://tracing or the DevTools performance panel open it).
//
// Prints JSON: `median_ms` (the first comment's author and text painted: their Element Timing renderTime,
// when the frame showing them was presented, minus responseEnd), min, max, the runs, the medians of a load's
// phases: `script` (responseEnd to the thread request starting: compiling and running the script up to
// there), `answer` (the thread request, and whatever keeps the main thread busy until it is handled),
// `build` (to the comments in the document), `frame` (to the paint); and two other clocks: `fcp_ms`
// (first contentful paint; the host page has nothing else to paint, so it was the same moment until the
// comments off the first screen were left unpainted) and `raf_ms`, the number of this script's first
// version (the start of the frame after the insertion: before that frame's style, layout and paint).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { launch, startRiposte } from '../tests/browser/lib.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf('--' + name);
  return i < 0 ? dflt : argv[i + 1];
};
const serve = argv.includes('--serve');
const runs = Number(serve ? opt('runs', '15') : argv[1] || '10');
const warmup = Number(serve ? opt('warmup', '3') : 0);

// run.py's thread: 200 comments, a third top-level, the rest replies two deep.
const TEXT = 'Danke für den Beitrag! Ich sehe das ähnlich, aber *nicht ganz*: gerade kleine Firmen '
  + 'profitieren von einem eigenen Blog. Mehr dazu unter www.example.org/notizen.';

/** The host page of bench/run.py, served here; riposte started and seeded as run.py does. */
async function start() {
  let page = '';
  const host = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((ok) => host.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${host.address().port}`;
  const lift = '{ burst = 1000000, every_ms = 0.001 }';
  const riposte = await startRiposte(origin, `[rate_limits]\ncomments = ${lift}\nedits = ${lift}\nreads = ${lift}\n`);
  const ids = [];
  for (let i = 0; i < 200; i++) {
    const parent = i % 3 === 0 ? null : ids[i - 1];
    ids.push((await riposte.post({ site: 'test', uri: '/t200/', text: `${TEXT} (${i})`, parent, author: 'Anna' })).id);
  }
  page = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
    + `<div id="riposte-thread"></div><script src="${riposte.url}/embed.js" data-site="test" data-uri="/t200/" async>`
    + '</script></body></html>';
  return {
    url: origin + '/',
    riposte,
    async close() {
      await riposte.stop();
      await new Promise((ok) => host.close(ok));
    },
  };
}

/** embed.js from a file, with the English strings and the languages filled in as server/src/routes/assets.rs does. */
function embedFrom(file) {
  const dir = join(ROOT, 'widget/i18n');
  const en = JSON.parse(readFileSync(join(dir, 'en.json'), 'utf8'));
  return readFileSync(file, 'utf8')
    .replace('/*@i18n*/ {}', JSON.stringify({ en }))
    .replace('/*@langs*/ []', JSON.stringify(['de', 'en']));
}

const server = serve ? await start() : null;
const url = server ? server.url : argv[0];
const js = opt('js') && embedFrom(opt('js'));
const css = opt('css') && readFileSync(opt('css'), 'utf8');
if (server) {
  // The thread answer made and gzipped once before the loads, as on a read page (the response cache keeps an
  // entry 2 s, so a load may still meet a rebuild: `answer` shows it).
  await fetch(`${server.riposte.url}/api/v1/threads?site=test&uri=/t200/`, { headers: { 'accept-encoding': 'gzip' } });
}
const browser = await launch();

async function load(trace) {
  const context = await browser.newContext();
  if (js) {
    await context.route(/\/embed\.js$/, (route) =>
      route.fulfill({ body: js, contentType: 'text/javascript; charset=utf-8', headers: { 'access-control-allow-origin': '*' } }));
  }
  if (css) await context.route(/\/embed\.css$/, (route) => route.fulfill({ body: css, contentType: 'text/css; charset=utf-8' }));
  const page = await context.newPage();
  if (trace) await browser.startTracing(page, { path: trace, screenshots: false });
  await page.addInitScript(() => {
    window.__fcp = new Promise((ok) => new PerformanceObserver((list) => {
      const e = list.getEntriesByName('first-contentful-paint')[0];
      if (e) ok(e.startTime);
    }).observe({ type: 'paint', buffered: true }));
    // The first comment's author and text, marked for Element Timing in the microtask after they enter the
    // document (before any frame can paint them): their renderTime is when the frame showing them was presented.
    window.__shown = new Promise((ok) => {
      const seen = new Map();
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) seen.set(e.identifier, e.renderTime || e.loadTime);
        if (seen.size === 2) ok(Math.max(...seen.values()));
      }).observe({ type: 'element', buffered: true });
    });
    new MutationObserver((_, obs) => {
      const first = document.querySelector('.riposte-comment');
      if (first) {
        obs.disconnect();
        window.__inserted = performance.now();
        first.querySelector('.riposte-author').setAttribute('elementtiming', 'author');
        first.querySelector('.riposte-body > *').setAttribute('elementtiming', 'text');
        requestAnimationFrame(() => { window.__raf = performance.now(); });
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__raf);
  const t = await page.evaluate(async () => {
    const res = performance.getEntriesByType('resource');
    const script = res.find((e) => e.name.endsWith('/embed.js'));
    const thread = res.find((e) => e.name.includes('/api/v1/threads?'));
    return {
      start: script.responseEnd, threadStart: thread.startTime, threadEnd: thread.responseEnd,
      inserted: window.__inserted, raf: window.__raf, fcp: await window.__fcp, shown: await window.__shown,
      comments: document.querySelectorAll('.riposte-comment').length,
    };
  });
  if (t.comments < 100) throw new Error(`only ${t.comments} comments rendered`);
  if (trace) await browser.stopTracing();
  await context.close();
  const r = (x) => Math.round(x * 10) / 10;
  return {
    painted: r(t.shown - t.start), fcp: r(t.fcp - t.start), raf: r(t.raf - t.start), script: r(t.threadStart - t.start),
    answer: r(t.threadEnd - t.threadStart), build: r(t.inserted - t.threadEnd), frame: r(t.shown - t.inserted),
  };
}

for (let i = 0; i < warmup; i++) await load();
const loads = [];
for (let i = 0; i < runs; i++) loads.push(await load());
if (opt('trace')) await load(opt('trace'));
await browser.close();
if (server) await server.close();

const median = (key) => {
  const xs = loads.map((l) => l[key]).sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
};
const times = loads.map((l) => l.painted).sort((a, b) => a - b);
console.log(JSON.stringify({
  median_ms: median('painted'), min_ms: times[0], max_ms: times.at(-1), runs: times,
  phases_median_ms: { script: median('script'), answer: median('answer'), build: median('build'), frame: median('frame') },
  fcp_ms: median('fcp'), raf_ms: median('raf'), warmup, js: opt('js') || 'served by the binary', css: opt('css') || 'served by the binary',
}));
