// Time from the embed script starting to the first comment painted, in headless Chromium, for a page
// whose thread has 200 comments. Prints {median_ms, runs: [...]} as JSON.
//     node bench/widget.mjs URL RUNS
import { launch } from '../tests/browser/lib.mjs';

const [url, runs = '10'] = process.argv.slice(2);
const browser = await launch();
const times = [];
for (let i = 0; i < Number(runs); i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    // The moment the first comment is in the document, and the frame after it: that frame paints it.
    new MutationObserver((_, obs) => {
      if (document.querySelector('.riposte-comment')) {
        obs.disconnect();
        requestAnimationFrame(() => { window.__painted = performance.now(); });
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__painted);
  const t = await page.evaluate(() => {
    const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/embed.js'));
    return { start: script.responseEnd, painted: window.__painted, comments: document.querySelectorAll('.riposte-comment').length };
  });
  if (t.comments < 100) throw new Error(`only ${t.comments} comments rendered`);
  times.push(Math.round((t.painted - t.start) * 10) / 10);
  await context.close();
}
await browser.close();
times.sort((a, b) => a - b);
console.log(JSON.stringify({ median_ms: times[Math.floor(times.length / 2)], min_ms: times[0], max_ms: times.at(-1), runs: times }));
