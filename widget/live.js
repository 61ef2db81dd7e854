/* riposte live: comments posted, edited and deleted elsewhere show up while the page is open, over
 * Server-Sent Events (GET /api/v1/events). Plain ES2020, no dependencies, no innerHTML.
 *
 * embed.js loads this file once a thread is shown, after leaving a hook on the thread's element:
 *   section.riposte.riposteLive = { url, t, show(comment), drop(id), total(n) }
 * url: the events URL with site and uri; t(key, vars): a translated string; show(c): inserts or replaces
 * comment c (as the thread answer gives it); drop(id): removes one; total(n): sets the heading's count.
 * Optional: has(id), whether comment id is shown (otherwise the element #riposte-ID is looked for). */
(() => {
  'use strict';
  // A hidden tab gives its connection back after this long, and picks up where it left off when shown.
  const HIDDEN_MS = 60e3;
  // After a refusal (503 over the limits, a proxy's 502 while the server restarts), EventSource gives up;
  // we try again, waiting longer each time, and stop after this many refusals in a row.
  const MAX_FAILURES = 8;

  function follow(root) {
    const live = root.riposteLive;
    if (!live || root.riposteFollowed) return;
    root.riposteFollowed = true;
    const waiting = new Map(); // new comments not shown yet, by id, until the visitor asks for them
    // Where the thread answer left off (`last`, its `last_event`), so nothing posted since is missed.
    let source = null, last = live.last ?? null, failures = 0, retry = null, hidden = null, paused = false, button = null;

    // The visitor's own comment, placed by embed.js after its post answered: not a "new comment" for them.
    live.forget = (id) => { if (waiting.delete(id)) update(); };
    const shown = (id) => (live.has ? live.has(id) : !!root.querySelector('#riposte-' + Number(id)));

    const reveal = () => {
      const comments = [...waiting.values()].sort((a, b) => a.id - b.id); // parents before their replies
      waiting.clear();
      update();
      for (const c of comments) live.show(c);
      const first = comments.length && root.querySelector('#riposte-' + Number(comments[0].id));
      if (first) first.focus();
    };

    // One button before the list says how many wait; it goes once they are shown (or all were deleted).
    const update = () => {
      if (!waiting.size) {
        if (button) button.remove();
        button = null;
        return;
      }
      if (!button) {
        button = document.createElement('button');
        button.type = 'button';
        button.className = 'riposte-btn riposte-new';
        button.setAttribute('aria-live', 'polite');
        button.addEventListener('click', reveal);
        const list = root.querySelector('.riposte-list');
        if (list) list.before(button);
        else root.append(button);
      }
      button.textContent = live.t('newComments', { n: waiting.size });
    };

    const handlers = {
      ready() {},
      'comment.created'({ comment: c }) {
        if (shown(c.id)) return; // the visitor's own, shown when it was posted
        waiting.set(c.id, c);
        update();
      },
      'comment.edited'({ comment: c }) {
        if (waiting.has(c.id)) waiting.set(c.id, c);
        else if (shown(c.id)) live.show(c);
      },
      'comment.deleted'({ id }) {
        if (waiting.delete(id)) update();
        else if (shown(id)) live.drop(id);
      },
    };

    const open = () => {
      retry = null;
      let url = live.url;
      // A fresh EventSource sends no Last-Event-ID: the parameter carries it instead.
      if (last !== null) url += (url.includes('?') ? '&' : '?') + 'last_event_id=' + encodeURIComponent(last);
      source = new EventSource(url);
      source.onopen = () => { failures = 0; };
      source.onerror = () => {
        // CONNECTING: EventSource reconnects by itself, sending Last-Event-ID. CLOSED: it gave up.
        if (source.readyState !== EventSource.CLOSED) return;
        source = null;
        if (++failures > MAX_FAILURES) return;
        const seconds = Math.min(600, 15 * 2 ** failures) * (0.5 + Math.random());
        retry = setTimeout(open, seconds * 1000);
      };
      for (const [name, handle] of Object.entries(handlers)) {
        source.addEventListener(name, (e) => {
          if (e.lastEventId) last = e.lastEventId;
          let data;
          try { data = JSON.parse(e.data); } catch { return; }
          handle(data);
          if (typeof data.total === 'number') live.total(data.total);
        });
      }
    };

    const close = () => {
      if (source) source.close();
      source = null;
      clearTimeout(retry);
      retry = null;
    };

    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        hidden = setTimeout(() => { paused = !!(source || retry); close(); }, HIDDEN_MS);
        return;
      }
      clearTimeout(hidden);
      if (paused) {
        paused = false;
        open();
      }
    });
    open();
  }

  for (const root of document.querySelectorAll('section.riposte')) follow(root);
})();
