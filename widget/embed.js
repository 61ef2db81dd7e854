/* riposte embed: threaded comments for any page. Plain ES2020, no dependencies.
 * Every user-supplied field is set as text; only the server-sanitized `html` is inserted as HTML. */
(() => {
  'use strict';
  const script = document.currentScript || document.querySelector('script[data-site][src*="embed.js"]');
  if (!script || !script.dataset.site) return;
  const ds = script.dataset;
  const base = new URL('.', script.src).href;
  const api = base + 'api/v1/';
  const site = ds.site;
  const uri = ds.uri || location.pathname;
  const I18N = /*@i18n*/ {};
  const LANGS = /*@langs*/ [];
  const want = (ds.lang || document.documentElement.lang || navigator.language || 'en').toLowerCase().split('-')[0];
  const lang = LANGS.includes(want) ? want : 'en';
  const MAX_INDENT = 3;
  const NS = 'http://www.w3.org/2000/svg';
  let S = I18N.en || {};
  const plural = new Intl.PluralRules(lang);
  let seq = 0;
  let mails = false; // the server mails reply notifications (the thread answer says)

  // Strings: `{name}` placeholders; objects are plural forms picked by `n`.
  const t = (key, vars = {}) => {
    let s = S[key] ?? I18N.en?.[key] ?? key;
    if (typeof s === 'object') s = (vars.n === 0 && s.zero) || s[plural.select(vars.n)] || s.other;
    return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m));
  };

  // Builds an element; attributes `text` (textContent) and `on*` (listeners) are special, strings are text.
  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    el.append(...kids.filter((k) => k != null));
    return el;
  };
  const button = (text, onclick, cls) => h('button', { type: 'button', class: 'riposte-btn ' + (cls || ''), text, onclick });

  const store = {
    get(k) {
      try { return JSON.parse(localStorage.getItem('riposte:' + k)); } catch { return null; }
    },
    set(k, v) {
      try { v == null ? localStorage.removeItem('riposte:' + k) : localStorage.setItem('riposte:' + k, JSON.stringify(v)); } catch { /* storage off */ }
    },
  };
  // Edit tokens by comment id: {t: token, u: editable until (ms), x: the text as written, p: page, h: held}.
  // A held comment's token is kept for 30 days, so its author keeps seeing it until a moderator decides.
  const HELD_DAYS = 30 * 864e5;
  const tokens = store.get('tokens') || {};
  for (const id in tokens) if (!(Math.max(tokens[id].u, tokens[id].h ? tokens[id].u + HELD_DAYS : 0) > Date.now())) delete tokens[id];
  store.set('tokens', tokens);
  const own = (id) => (tokens[id] && tokens[id].u > Date.now() ? tokens[id] : null);

  async function call(method, path, body, token, headers = {}) {
    if (body) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    let res;
    try {
      res = await fetch(api + path, { method, headers, body: body && JSON.stringify(body), credentials: 'omit' });
    } catch {
      throw new Error(t('errNetwork'));
    }
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.ok) return { status: res.status, data };
    const e = (data && data.error) || {};
    const err = new Error(
      res.status === 429 ? t('errRate', { n: +res.headers.get('Retry-After') || 20 })
        : res.status === 422 ? t('errInvalid', { field: t('field_' + e.field) })
        : res.status === 413 ? t('errTooLarge')
        : res.status === 403 ? t(/^challenge_/.test(e.code) ? 'errChallenge' : e.code === 'thread_closed' ? 'closed' : 'errForbidden')
        : res.status === 404 ? t('errNotFound')
        : t('errServer'));
    err.field = e.field;
    err.code = e.code;
    err.status = res.status;
    throw err;
  }
  const query = (pairs) => new URLSearchParams(pairs).toString();

  // Proof of work (ALTCHA): the number n in 0..maxnumber with SHA-256(salt + n) = challenge. `search` runs
  // in a worker made from a Blob, or, where a strict CSP forbids blob: workers, here in slices between
  // other tasks. Both must stay self-contained: their source text is the worker's script.
  function sha256() {
    const K = new Int32Array(64), H = new Int32Array(8), W = new Int32Array(64);
    let w = new Int32Array(32);
    for (let p = 2, i = 0; i < 64; p++) {
      let d = 2;
      while (p % d) d++;
      if (d < p) continue;
      if (i < 8) H[i] = (p ** 0.5 % 1) * 2 ** 32;
      K[i++] = (p ** (1 / 3) % 1) * 2 ** 32;
    }
    const r = (x, n) => (x >>> n) | (x << (32 - n));
    // ASCII text in, the eight state words out.
    return (m) => {
      const n = ((m.length + 72) >> 6) << 4, h = H.slice();
      if (w.length < n) w = new Int32Array(n);
      w.fill(0, 0, n);
      for (let i = 0; i < m.length; i++) w[i >> 2] |= m.charCodeAt(i) << (24 - (i & 3) * 8);
      w[m.length >> 2] |= 0x80 << (24 - (m.length & 3) * 8);
      w[n - 1] = m.length * 8;
      for (let j = 0; j < n; j += 16) {
        let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (let i = 0; i < 64; i++) {
          if (i < 16) W[i] = w[j + i];
          else {
            const x = W[i - 15], y = W[i - 2];
            W[i] = W[i - 16] + (r(x, 7) ^ r(x, 18) ^ (x >>> 3)) + W[i - 7] + (r(y, 17) ^ r(y, 19) ^ (y >>> 10)) | 0;
          }
          const t1 = k + (r(e, 6) ^ r(e, 11) ^ r(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i] | 0;
          const t2 = (r(a, 2) ^ r(a, 13) ^ r(a, 22)) + ((a & b) ^ (a & c) ^ (b & c)) | 0;
          k = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
      }
      return h;
    };
  }
  // The first n in from..to that solves d, or -1.
  function search(d, from, to, sha) {
    const want = d.challenge.match(/.{8}/g).map((x) => parseInt(x, 16) | 0);
    for (let n = from; n <= to; n++) {
      const h = sha(d.salt + n);
      let i = 0;
      while (i < 8 && h[i] === want[i]) i++;
      if (i > 7) return n;
    }
    return -1;
  }
  let blocked; // by the page's CSP: then no more tries
  const solve = (d) => new Promise((ok) => {
    const here = async () => {
      const sha = sha256();
      for (let n = 0, end; n <= d.maxnumber; n = end + 1) {
        end = Math.min(n + 1e4, d.maxnumber);
        const x = search(d, n, end, sha);
        if (x >= 0) return ok(x);
        await new Promise((r) => setTimeout(r));
      }
      ok(-1);
    };
    try {
      if (blocked) throw 0;
      const url = URL.createObjectURL(new Blob([`const sha=(${sha256})();onmessage=(e)=>postMessage((${search})(e.data,0,e.data.maxnumber,sha))`], { type: 'text/javascript' }));
      const w = new Worker(url);
      const end = (e) => { w.terminate(); URL.revokeObjectURL(url); e.type === 'message' ? ok(e.data) : (blocked = true, here()); };
      w.onmessage = end;
      w.onerror = (e) => { e.preventDefault(); end(e); };
      w.postMessage(d);
    } catch { blocked = true; here(); }
  }).then((number) => (number < 0 ? null : {
    altcha: btoa(JSON.stringify({ algorithm: d.algorithm, challenge: d.challenge, number, salt: d.salt, signature: d.signature })),
    expires: new URLSearchParams(d.salt.split('?')[1]).get('expires') * 1e3,
  }));
  // A fresh one per comment: each solution is accepted once. Null when the site asks for none.
  const challenge = () => call('GET', 'challenge?' + query({ site })).then(({ data }) => data && solve(data));
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join(''));

  const strings = lang === 'en' ? Promise.resolve({})
    : fetch(base + 'i18n/' + lang + '.json').then((r) => (r.ok ? r.json() : {})).catch(() => ({}));

  if (ds.css !== 'false' && !document.querySelector('link[data-riposte]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: base + 'embed.css', 'data-riposte': '' }));
  }

  // Count mode: every [data-riposte-count] gets its page's count, one request for all.
  const countEls = [...document.querySelectorAll('[data-riposte-count]')];
  if (countEls.length) {
    const pages = [...new Set(countEls.map((e) => e.dataset.riposteCount || uri))].slice(0, 100);
    Promise.all([strings, call('GET', 'counts?' + query([['site', site], ...pages.map((p) => ['uri', p])]))])
      .then(([s, { data }]) => {
        S = { ...I18N.en, ...s };
        for (const el of countEls) {
          const n = data[el.dataset.riposteCount || uri];
          if (n != null) el.textContent = t('comments', { n });
        }
      })
      .catch(() => {});
  }

  const target = document.querySelector(ds.target || '#riposte-thread');
  if (!target) return;
  // A moderator's badge token, opened once as `#riposte-badge=TOKEN`: kept per site, out of the address bar.
  const badge = /^#riposte-badge=(.+)/.exec(location.hash);
  if (badge) {
    store.set('badge:' + site, badge[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  // The reader's order (kept), else the page's `data-sort`, else the site's default.
  let sort = store.get('sort:' + site) || ds.sort;
  if (!['oldest', 'newest', 'top'].includes(sort)) sort = null;
  const page = (after) => call('GET', 'threads?' + query({ site, uri, ...(sort && { sort }), ...(after && { after }) }));
  const thread = page();
  // A page pre-rendered from the thread's HTML fragment: its comments are adopted, not drawn again.
  const pre = target.querySelector('.riposte-fragment');
  const adopt = new Map(pre ? [...pre.querySelectorAll('.riposte-comment')].map((e) => [e.id, e]) : []);

  // Dates: a relative time, the full date as title.
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const full = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' });
  const UNITS = [['year', 31536e6], ['month', 2592e6], ['week', 6048e5], ['day', 864e5], ['hour', 36e5], ['minute', 6e4]];
  const relative = (date) => {
    const ms = date - Date.now();
    for (const [unit, size] of UNITS) if (Math.abs(ms) >= size) return rtf.format(Math.round(ms / size), unit);
    return rtf.format(0, 'second');
  };

  // A 5x5 mirrored identicon drawn from the avatar hash: no request leaves the page.
  const cell = document.createElementNS(NS, 'rect');
  cell.setAttribute('width', 1);
  cell.setAttribute('height', 1);
  const avatar = (hash) => {
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 5 5');
    svg.setAttribute('class', 'riposte-avatar');
    svg.setAttribute('aria-hidden', 'true');
    // No hash (a held comment, a placeholder): a neutral silhouette, the same for everyone.
    if (!hash) {
      svg.classList.add('riposte-anon');
      const head = document.createElementNS(NS, 'circle'), body = document.createElementNS(NS, 'path');
      for (const [k, v] of [['cx', 2.5], ['cy', 1.7], ['r', 1]]) head.setAttribute(k, v);
      body.setAttribute('d', 'M.7 4.8a1.8 1.8 0 0 1 3.6 0z');
      svg.append(head, body);
      return svg;
    }
    // Cells inherit the colour and clone one 1x1 rect.
    svg.setAttribute('fill', `hsl(${parseInt(hash.slice(0, 3), 16) % 360} 55% 45%)`);
    const bits = parseInt(hash.slice(3, 7), 16);
    for (let i = 0; i < 15; i++) {
      if (!((bits >> i) & 1)) continue;
      const x = i % 3;
      for (const col of x === 2 ? [2] : [x, 4 - x]) {
        const r = cell.cloneNode();
        r.setAttribute('x', col);
        r.setAttribute('y', (i / 3) | 0);
        svg.append(r);
      }
    }
    return svg;
  };

  let root, heading, status, list, total = 0;
  const nodes = new Map(); // id -> {c, el, depth, kids}

  const announce = (msg, error) => {
    status.textContent = '';
    status.className = 'riposte-status' + (error ? ' riposte-error' : '');
    // A fresh text node makes screen readers repeat an identical message.
    requestAnimationFrame(() => { status.textContent = msg; });
  };
  const setTotal = (n) => { total = n; heading.textContent = t('comments', { n }); };
  let counted = 0; // when live updates last set the count
  const name = (c) => c.author || t('anonymous');

  function body(c) {
    if (c.status === 'deleted') return h('p', { class: 'riposte-body riposte-deleted', text: t('deleted') });
    const div = h('div', { class: 'riposte-body' });
    div.innerHTML = c.html; // sanitized by the server at write time
    return div;
  }

  function commentEl(c, depth, parent) {
    const old = adopt.get('riposte-' + c.id);
    adopt.delete('riposte-' + c.id);
    // The pre-rendered body only while it is what the thread says now (not edited or removed since).
    const kept = old && c.status !== 'deleted' && [...old.children].find((e) => e.matches('.riposte-body') && e.innerHTML === c.html);
    const el = old || h('article', { id: 'riposte-' + c.id });
    for (const [k, v] of [['class', 'riposte-comment' + (c.pinned ? ' riposte-is-pinned' : '')], ['tabindex', -1], ['aria-label', name(c)]]) el.setAttribute(k, v);
    el.replaceChildren();
    const author = c.website && c.status !== 'deleted'
      ? h('a', { class: 'riposte-author', href: c.website, rel: 'nofollow ugc noopener noreferrer', text: name(c) })
      : h('span', { class: 'riposte-author', text: c.status === 'deleted' ? '–' : name(c) });
    const when = new Date(c.created);
    const meta = h('div', { class: 'riposte-meta' }, avatar(c.avatar), author,
      parent ? h('span', { class: 'riposte-parent', text: t('inReplyTo', { name: name(parent) }) }) : null,
      h('a', { class: 'riposte-time', href: '#riposte-' + c.id },
        h('time', { datetime: c.created, title: full.format(when), text: relative(when) })),
      c.edited ? h('span', { class: 'riposte-edited', text: t('edited') }) : null,
      c.moderator ? h('span', { class: 'riposte-badge', text: t('moderator') }) : null,
      c.pinned ? h('span', { class: 'riposte-pinned', text: t('pinned') }) : null);
    const kids = depth < MAX_INDENT ? h('div', { class: 'riposte-replies' }) : null;
    el.append(meta, kept || body(c));
    if (c.status === 'pending') el.append(h('p', { class: 'riposte-pending', text: t('awaiting') }));
    el.append(actions(c));
    if (kids) el.append(kids);
    nodes.set(c.id, { c, el, depth, kids });
    return el;
  }

  // Replies indent up to MAX_INDENT levels; deeper ones sit flat under their ancestor, naming whom they answer.
  function place(c, parent) {
    // Already shown (a live update, then the page that holds it): drawn again where it is.
    if (nodes.has(c.id)) redraw(Object.assign(nodes.get(c.id).c, c));
    else {
      const p = parent && nodes.get(parent.id);
      const depth = p ? p.depth + 1 : 0;
      (!p ? list : p.kids || p.el.parentElement).append(commentEl(c, depth, depth > MAX_INDENT ? parent : null));
    }
    const el = nodes.get(c.id).el;
    for (const r of c.replies || []) place(r, c);
    if (c.replies_next) moreReplies(c, c.replies_next);
    return el;
  }

  // A long branch comes a page at a time: the button at its end loads the next replies.
  function moreReplies(top, after) {
    nodes.get(top.id).el.append(moreButton(t('moreReplies'), async () => {
      const { data } = await call('GET', 'threads/replies?' + query({ site, uri, root: top.id, after }));
      const els = data.comments.map((c) => place(c, nodes.get(c.parent)?.c || top));
      if (data.next) moreReplies(top, data.next);
      return els[0] && data.comments[0];
    }));
  }

  function actions(c) {
    const bar = h('div', { class: 'riposte-actions' });
    if (c.status !== 'published') return bar;
    const vote = (value, key, field) => {
      const b = button('', async () => {
        try {
          const { data } = await call('POST', `comments/${c.id}/vote`, { value });
          Object.assign(c, data);
          likes.update(); dislikes.update();
          b.setAttribute('aria-pressed', 'true');
          (value > 0 ? dislikes : likes).setAttribute('aria-pressed', 'false');
        } catch (e) { announce(e.message, true); }
      }, 'riposte-vote');
      b.setAttribute('aria-pressed', 'false');
      // Visible: an arrow and the count; heard: the word and the count.
      b.update = () => b.replaceChildren(h('span', { 'aria-hidden': 'true', text: value > 0 ? '▲' : '▼' }),
        h('span', { class: 'riposte-sr', text: t(key) }), ' ' + c[field]);
      b.update();
      return b;
    };
    const likes = vote(1, 'like', 'likes');
    const dislikes = vote(-1, 'dislike', 'dislikes');
    bar.append(likes, dislikes, closed ? null : button(t('reply'), (e) => openReply(c, e.target)));
    const mine = own(c.id);
    if (mine) {
      const edit = button(t('edit'), () => startEdit(c));
      const del = button(t('delete'), async () => {
        if (!del.armed) {
          del.armed = true;
          del.textContent = t('confirmDelete');
          return;
        }
        try {
          const sent = Date.now();
          await call('DELETE', 'comments/' + c.id, null, mine.t);
          removeComment(c, sent);
        } catch (e) { announce(e.message, true); }
      }, 'riposte-danger');
      del.addEventListener('blur', () => { del.armed = false; del.textContent = t('delete'); });
      bar.append(edit, del);
      // The buttons go when the edit window closes.
      setTimeout(() => { edit.remove(); del.remove(); }, Math.min(mine.u - Date.now(), 2 ** 31 - 1));
    }
    return bar;
  }

  function field(kind, label, attrs, hint) {
    const id = `riposte-f${++seq}`; // not riposte-N: that is comment N
    const input = h(kind, { id, class: attrs.type === 'checkbox' ? null : 'riposte-input', ...attrs, 'aria-describedby': hint && id + '-hint' });
    return [h('label', { for: id, text: label }), input, hint ? h('p', { id: id + '-hint', class: 'riposte-hint', text: hint }) : null];
  }

  // The comment form, at the top or under a comment as a reply form.
  function form(parent) {
    const me = store.get('identity');
    const [textLabel, text, textHint] = field('textarea', parent ? t('replyTo', { name: name(parent) }) : t('text'),
      { name: 'text', rows: 4, maxlength: 10000 }, t('textHint'));
    const [nameLabel, author] = field('input', t('name'), { name: 'author', autocomplete: 'name', maxlength: 100, value: me?.author });
    const [emailLabel, email, emailHint] = field('input', t('email'), { name: 'email', type: 'email', autocomplete: 'email', maxlength: 254, value: me?.email }, t('emailHint'));
    const [siteLabel, website] = field('input', t('website'), { name: 'website', type: 'url', autocomplete: 'url', maxlength: 500, value: me?.website });
    const [rememberLabel, remember] = field('input', t('remember'), { name: 'remember', type: 'checkbox', checked: !!me });
    const [notifyLabel, notify] = field('input', t('notify'), { name: 'notify', type: 'checkbox' });
    // A field only bots fill in: off-screen, out of the tab order, hidden from assistive technology.
    const [trapLabel, trap] = field('input', t('trap'), { name: 'homepage', tabindex: -1, autocomplete: 'off' });
    const preview = h('div', { class: 'riposte-body riposte-preview', hidden: true });
    const submit = h('button', { type: 'submit', class: 'riposte-btn riposte-primary', text: t('submit') });
    const togglePreview = button(t('preview'), async () => {
      if (!preview.hidden) {
        preview.hidden = true; text.hidden = false; togglePreview.textContent = t('preview'); text.focus();
        return;
      }
      try {
        const { data } = await call('POST', 'preview', { text: text.value });
        preview.innerHTML = data.html; // sanitized by the server
        preview.hidden = false; text.hidden = true; togglePreview.textContent = t('write');
      } catch (e) { announce(e.message, true); }
    });
    const f = h('form', { class: 'riposte-form', novalidate: true },
      h('div', { class: 'riposte-field' }, textLabel, text, preview, textHint),
      h('div', { class: 'riposte-fields' },
        h('div', { class: 'riposte-field' }, nameLabel, author),
        h('div', { class: 'riposte-field' }, emailLabel, email, emailHint),
        h('div', { class: 'riposte-field' }, siteLabel, website)),
      mails ? h('div', { class: 'riposte-check' }, notify, notifyLabel) : null,
      h('div', { class: 'riposte-check' }, remember, rememberLabel),
      h('div', { class: 'riposte-trap', 'aria-hidden': 'true' }, trapLabel, trap),
      h('div', { class: 'riposte-buttons' }, submit, togglePreview,
        parent ? button(t('cancel'), () => closeReply(parent)) : null));
    // Per submission: when the form was shown, the proof of work (fetched once the visitor starts, solved
    // meanwhile), and the Idempotency-Key that a retry of the same submission sends again.
    let busy = false, shown = Date.now(), pow, key;
    const prove = () => (pow ||= challenge().catch(() => null));
    f.addEventListener('focusin', prove);
    f.addEventListener('input', prove);
    const send = async (body) => {
      submit.textContent = t('checking');
      // A visitor who wrote for longer than the challenge lives gets a new one before sending, not after.
      if ((await prove())?.expires < Date.now() + 5e3) pow = null;
      body.altcha = (await prove())?.altcha;
      submit.textContent = t('sending');
      key ||= uuid();
      try {
        return await call('POST', 'comments', body, null, { 'Idempotency-Key': key });
      } catch (err) {
        // Nothing was stored after a clear refusal; after a lost answer or a timeout, the server may have it.
        if (err.status < 500 && err.status !== 408) key = null;
        if (/^challenge_/.test(err.code)) pow = null;
        throw err;
      }
    };
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (busy) return;
      if (!text.value.trim()) {
        announce(t('empty'), true);
        text.focus();
        return;
      }
      busy = true;
      const sent = Date.now();
      submit.disabled = true;
      submit.textContent = t('sending');
      for (const i of [text, author, email, website]) i.removeAttribute('aria-invalid');
      const ident = { author: author.value.trim(), email: email.value.trim(), website: website.value.trim() };
      const body = {
        site, uri, title: ds.title || document.title, parent: parent ? parent.id : null, text: text.value, ...ident,
        honeypot: trap.value, fill_ms: Date.now() - shown, author_token: store.get('author:' + site) || undefined,
        notify: mails && notify.checked || undefined, moderator_token: store.get('badge:' + site) || undefined,
      };
      try {
        // A refused or expired proof of work is solved again once.
        const { status: code, data } = await send(body).catch((err) => (/^challenge_/.test(err.code) ? send(body) : Promise.reject(err)));
        pow = key = null;
        shown = Date.now();
        // A held comment's token only while there is none: it must not replace one that already proves a
        // published comment (it counts once its own comment is approved).
        if (data.author_token && (code === 201 || !store.get('author:' + site))) store.set('author:' + site, data.author_token);
        store.set('identity', remember.checked ? ident : null);
        tokens[data.comment.id] = { t: data.edit_token, u: Date.parse(data.editable_until), x: text.value, p: uri, h: code === 202 };
        store.set('tokens', tokens);
        text.value = '';
        if (!preview.hidden) togglePreview.click();
        if (parent) closeReply(parent);
        const el = place(data.comment, parent);
        // Live updates may have counted it already (their count is the server's); else count it here.
        if (code === 201 && !(counted > sent)) setTotal(total + 1);
        root.riposteLive?.forget?.(data.comment.id);
        announce(t(code === 202 ? 'pending' : 'posted') + (body.notify ? ' ' + t('confirmMail') : ''));
        notify.checked = false;
        el.focus();
      } catch (err) {
        announce(err.message, true);
        const bad = { text, author, email, website, notify: email }[err.field];
        if (bad) {
          bad.setAttribute('aria-invalid', 'true');
          bad.focus();
        }
      } finally {
        busy = false;
        submit.disabled = false;
        submit.textContent = t('submit');
      }
    });
    return f;
  }

  function openReply(c, opener) {
    const n = nodes.get(c.id);
    if (!n.form) {
      n.form = form(c);
      n.opener = opener;
      n.el.insertBefore(n.form, n.kids);
    }
    n.form.querySelector('textarea').focus();
  }

  function closeReply(c) {
    const n = nodes.get(c.id);
    if (!n.form) return;
    n.form.remove();
    n.form = null;
    n.opener.focus();
  }

  function startEdit(c) {
    const n = nodes.get(c.id);
    const mine = own(c.id);
    if (!mine || n.editing) return;
    n.editing = true;
    const old = n.el.querySelector('.riposte-body');
    const [label, text] = field('textarea', t('edit'), { name: 'text', rows: 4, maxlength: 10000 });
    text.value = mine.x || '';
    const done = () => { f.replaceWith(old); n.editing = false; };
    const f = h('form', { class: 'riposte-form riposte-edit', novalidate: true }, label, text,
      h('div', { class: 'riposte-buttons' }, h('button', { type: 'submit', class: 'riposte-btn riposte-primary', text: t('save') }),
        button(t('cancel'), () => { done(); n.el.focus(); })));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const { data } = await call('PATCH', 'comments/' + c.id, { text: text.value }, mine.t);
        mine.x = text.value;
        store.set('tokens', tokens);
        Object.assign(c, data.comment);
        const fresh = body(c);
        f.replaceWith(fresh);
        n.editing = false;
        if (!n.el.querySelector('.riposte-edited')) n.el.querySelector('.riposte-meta').append(h('span', { class: 'riposte-edited', text: t('edited') }));
        announce(t('saved'));
        n.el.focus();
      } catch (err) { announce(err.message, true); }
    });
    old.replaceWith(f);
    text.focus();
  }

  // A comment drawn again in place (edited, or now a placeholder), keeping its replies.
  function redraw(c) {
    const n = nodes.get(c.id);
    const fresh = commentEl(c, n.depth, null);
    if (n.kids) {
      fresh.querySelector('.riposte-replies').replaceWith(n.kids);
      nodes.get(c.id).kids = n.kids;
    }
    n.el.replaceWith(fresh);
  }

  // A comment gone from the thread: a placeholder while it has replies.
  function drop(id) {
    const n = nodes.get(id);
    if (!n) return;
    if ([...nodes.values()].some((x) => x.c.parent === id)) {
      redraw(Object.assign(n.c, { status: 'deleted', author: null, website: null, html: '', avatar: '' }));
    } else {
      n.el.remove();
      nodes.delete(id);
    }
  }

  function removeComment(c, sent) {
    if (c.status === 'published' && !(counted > sent)) setTotal(total - 1);
    delete tokens[c.id];
    store.set('tokens', tokens);
    drop(c.id);
    announce(t('removed'));
    heading.focus();
  }

  // A link to one comment (#riposte-123): the pages up to it load (top-level pages first, then long
  // branches), and it is scrolled to and marked.
  async function reveal() {
    const id = +(/^#riposte-(\d+)$/.exec(location.hash) || [])[1];
    if (!id) return;
    for (let i = 0; i < 50 && !nodes.has(id); i++) {
      const b = root.querySelector(':scope > .riposte-more') || root.querySelector('.riposte-more');
      if (!b || !(await b.load())) break;
    }
    const n = nodes.get(id);
    if (!n) return;
    root.querySelector('.riposte-target')?.classList.remove('riposte-target');
    n.el.classList.add('riposte-target');
    n.el.scrollIntoView({ block: 'center' });
    n.el.focus({ preventScroll: true });
  }

  // A "more" button that runs `load` once; `load()` answers whether it worked.
  const moreButton = (label, get) => {
    const b = button(label, () => b.load(), 'riposte-more');
    b.load = () => (b.busy ||= (async () => {
      b.disabled = true;
      try {
        const first = await get();
        b.remove();
        if (first) nodes.get(first.id).el.focus();
        return true;
      } catch (e) {
        b.disabled = false;
        b.busy = null;
        announce(e.message, true);
      }
    })());
    return b;
  };

  // One page of top-level comments into the list, then the button for the next. With `first`, the
  // conversations holding the first `first` comments (the first screen) are drawn at once and the rest in
  // tasks of CHUNK comments, one after each frame, so a long thread shows its top without waiting for its
  // end. `drawn` settles when the page is all there, and the list is aria-busy until then; a new order (`shown`
  // moves on) stops a page half-drawn.
  const FIRST = 20, CHUNK = 40;
  let drawn, shown = 0;
  const fill = (data, first = Infinity) => {
    const cs = data.comments, g = shown;
    let i = 0;
    const draw = (n) => {
      if (g !== shown) return;
      for (const end = nodes.size + n; i < cs.length && nodes.size < end; i++) place(cs[i], null);
      // The list is busy until its page is all there (assistive technology, and tests, wait on it).
      i < cs.length ? list.setAttribute('aria-busy', 'true') : list.removeAttribute('aria-busy');
      // A frame's callback runs before the frame is painted: the next chunk waits for a task after it.
      if (i < cs.length) return new Promise((ok) => requestAnimationFrame(() => setTimeout(ok))).then(() => draw(CHUNK));
      if (data.next) list.after(moreButton(t('more'), async () => {
        const { data: next } = await page(data.next);
        await fill(next);
        return next.comments[0];
      }));
    };
    return (drawn = Promise.resolve(draw(first)));
  };

  const theme = { dark: ' riposte-dark', light: ' riposte-light' }[ds.theme] || '';
  let closed, order, last;
  strings.then((s) => {
    S = { ...I18N.en, ...s };
    return thread;
  }).then(({ data }) => {
    mails = data.notify;
    last = data.last_event;
    closed = data.closed;
    order = data.sort;
    heading = h('h2', { class: 'riposte-heading', tabindex: '-1' });
    status = h('p', { class: 'riposte-status', role: 'status' });
    list = h('div', { class: 'riposte-list' });
    const sorter = h('select', {
      class: 'riposte-sort', 'aria-label': t('sortLabel'), onchange: async () => {
        sort = sorter.value;
        store.set('sort:' + site, sort);
        try {
          const { data: d } = await page();
          order = d.sort;
          shown++;
          list.replaceChildren();
          nodes.clear();
          root.querySelector(':scope > .riposte-more')?.remove();
          fill(d);
        } catch (e) { announce(e.message, true); }
      },
    }, ...Object.entries({ oldest: 'sortOldest', newest: 'sortNewest', top: 'sortTop' })
      .map(([value, key]) => h('option', { value, text: t(key), selected: value === order })));
    root = h('section', { class: 'riposte' + theme, lang, dir: t('dir'), 'aria-label': t('thread') },
      h('div', { class: 'riposte-bar' }, heading, sorter),
      closed ? h('p', { class: 'riposte-closed', text: t('closed') }) : form(null), status, list);
    setTotal(data.total);
    // A pre-rendered thread is on screen already: adopted whole, at once.
    fill(data, pre ? Infinity : FIRST);
    target.replaceChildren(root);
    return drawn;
  }).then(() => {
    adopt.clear();
    // The visitor's own held comments, which only they (with the token) may see.
    for (const [id, k] of Object.entries(tokens)) {
      if (k.h && k.p === uri && !nodes.has(+id)) {
        call('GET', 'comments/' + id, null, k.t).then(({ data: { comment: c } }) => {
          if (c.status === 'published') { k.h = false; store.set('tokens', tokens); }
          if (!nodes.has(c.id) && (!c.parent || nodes.has(c.parent))) place(c, c.parent ? nodes.get(c.parent).c : null);
        }, () => {});
      }
    }
    reveal();
    addEventListener('hashchange', reveal);
    // Live updates (live.js, loaded only now): new comments wait behind a button, edits and deletions apply.
    if (ds.live !== 'off') {
      root.riposteLive = {
        url: api + 'events?' + query({ site, uri }), last, t, drop,
        total(n) { counted = Date.now(); setTotal(n); },
        show(c) {
          const n = nodes.get(c.id);
          if (n) return redraw(Object.assign(n.c, c));
          if (c.parent && !nodes.has(c.parent)) return;
          const el = place(c, c.parent ? nodes.get(c.parent).c : null);
          if (!c.parent && order === 'newest') list.insertBefore(el, list.querySelector(':scope > .riposte-comment:not(.riposte-is-pinned)'));
        },
      };
      document.head.append(h('script', { src: base + 'live.js', async: true }));
    }
  }, () => {
    // A pre-rendered thread stays: the readers keep what the page came with.
    const error = h('p', { class: 'riposte-status riposte-error', role: 'status', text: t('loadError') });
    pre ? pre.append(error) : target.replaceChildren(error);
  });
})();
