#!/usr/bin/env python3
"""The mixed load of issue 15: many pages read at once while comments arrive, for riposte and Isso 0.14.

    python3 bench/mixed.py [--seconds 15] [--no-isso] [--pages 2000]   # on its own, prints JSON
    python3 bench/run.py                                                # as one part of the full run

The site: PAGES pages (2,000) whose popularity follows Zipf's law (page of rank k weighs 1 / k^1.1), each
with 5 to 300 comments (uniform, fixed seed, independent of popularity; a third top-level, the rest replies
two deep), and PAGES / 10 index pages, each listing ten pages by popularity rank and asking for their counts
(the index pages' own popularity is Zipf with the same s).

Seeding goes straight into each server's SQLite file, in one transaction (through the API it would take
minutes for riposte and hours for Isso): riposte's file is created by `riposte site add` (its migrations)
and filled in its schema; Isso's is created by starting Isso once (it makes its tables at start), then
filled in its schema (`threads`, `comments`, text as Markdown, which Isso renders on every read) and Isso
is started again on it.

The load, two wrk processes side by side on 127.0.0.1:
- **readers**: `wrk -t2 -c64`, each request a thread read of a page drawn by the Zipf weights, or one in
  ten a counts request of an index page drawn the same way (riposte: `GET /api/v1/counts` with the ten
  URIs; Isso: `POST /count` with them). Its latency histogram is the reads' p99.
- **posters**, only in the "posting on" phase: `wrk -t1 -c16`, posting to pages drawn by the same
  weights, paced (wrk's `delay()` with a monotonic clock through LuaJIT's ffi) at 2/98 of the thread
  reads a second that the same server gave in the "posting off" phase just before; so posts are 2% of the
  thread traffic or more, if reads slow down.
Reported: reads a second with posting off and on, their ratio (target >= 0.7), the reads' p99 with posting
on (target <= 10 ms), the posts a second and their share, riposte over Isso with posting on (target >= 50x)
and the peak RSS of the server over both phases, sampled every 100 ms from outside (target <= 40 MB). Every
acknowledged post must be in the database afterwards (up to one per poster connection more may be stored
but unanswered when wrk stops).
"""
import argparse
import itertools
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

S = 1.1
COMMENTS = (5, 300)
PER_INDEX = 10
COUNTS_EVERY = 10
POST_SHARE = 0.02
SHARE_SLACK = 0.0025  # posting-on rounds stop once posts are 2% +- 0.25 points of the thread traffic
READERS, POSTERS = 64, 16
SEED = 15


def pages(n):
    """(uri, comments) by popularity rank, and the Zipf weight of each rank."""
    rng = random.Random(SEED)
    layout = [(f"/m/{k}/", rng.randint(*COMMENTS)) for k in range(n)]
    return layout, zipf(n)


def zipf(n):
    return [1 / (k + 1) ** S for k in range(n)]


def index_pages(layout):
    """Each index page lists ten pages, the first the ten most popular."""
    uris = [u for u, _ in layout]
    return [uris[i:i + PER_INDEX] for i in range(0, len(uris), PER_INDEX)]


def shape(n):
    """Parent offsets within one page: a third top-level, then a reply to it and a reply to that reply."""
    for i in range(n):
        yield i % 3


# ------------------------------------------------------------------------------------------------- seeding


def seed_riposte(kit, db, layout):
    subprocess.run([kit.RIPOSTE, "site", "add", "bench", "--origin", "http://127.0.0.1", "--database", db],
                   check=True, capture_output=True)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    now = int(time.time() * 1000) - 10_000_000
    con.executemany("INSERT INTO threads (id, site_id, uri, created) VALUES (?, 'bench', ?, ?)",
                    ((t + 1, uri, now) for t, (uri, _) in enumerate(layout)))

    def rows():
        cid = 0
        for t, (_, n) in enumerate(layout):
            top = None
            for i, pos in enumerate(shape(n)):
                cid += 1
                if pos == 0:
                    top, parent, root, depth = cid, None, None, 0
                else:
                    parent, root, depth = cid - 1, top, pos
                yield (cid, t + 1, parent, root, depth, f"{kit.TEXT} ({i})", f"<p>{kit.TEXT} ({i})</p>\n", now + cid)

    con.executemany(
        "INSERT INTO comments (id, thread_id, parent_id, root_id, depth, status, author, text, html, avatar, created)"
        " VALUES (?, ?, ?, ?, ?, 'published', 'Anna', ?, ?, '0123456789abcdef', ?)", rows())
    con.commit()
    total = con.execute("SELECT count(*) FROM comments").fetchone()[0]
    con.close()
    return total


def seed_isso(db, layout, text):
    con = sqlite3.connect(db)
    con.executemany("INSERT INTO threads (id, uri, title) VALUES (?, ?, 'Bench')",
                    ((t + 1, uri) for t, (uri, _) in enumerate(layout)))
    now = time.time() - 10_000

    def rows():
        cid = 0
        for t, (_, n) in enumerate(layout):
            top = None
            for i, pos in enumerate(shape(n)):
                cid += 1
                # Isso nests one level: a reply to a reply names the top-level comment as its parent.
                if pos == 0:
                    top = cid
                yield (t + 1, cid, None if pos == 0 else top, now + cid / 1000, f"{text} ({i})", bytes(256))

    con.executemany(
        "INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, voters)"
        " VALUES (?, ?, ?, ?, 1, '127.0.0.0', ?, 'Anna', ?)", rows())
    con.commit()
    total = con.execute("SELECT count(*) FROM comments").fetchone()[0]
    con.close()
    return total


# -------------------------------------------------------------------------------------------- wrk scripts


def lua_str(s):
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a Lua string literal for what we send


def lua_table(items):
    return "{" + ",".join(items) + "}"


def cdf(weights):
    return [f"{x:.12g}" for x in itertools.accumulate(weights)]


PICK = """
local function pick(c)
  local r = math.random() * c[#c]
  local lo, hi = 1, #c
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if c[mid] < r then lo = mid + 1 else hi = mid end
  end
  return lo
end
local threads, n = {}, 0
function setup(thread)
  n = n + 1
  thread:set("id", n)
  table.insert(threads, thread)
end
"""


def reader_lua(thread_reqs, count_reqs, weights, index_weights):
    """`*_reqs`: (method, path, body or None, headers) per page and per index page, by rank."""

    def fmt(r):
        method, path, body, headers = r
        h = lua_table(f"[{lua_str(k)}]={lua_str(v)}" for k, v in headers.items())
        return f"wrk.format({lua_str(method)}, {lua_str(path)}, {h}, {lua_str(body) if body else 'nil'})"

    return f"""-- readers: thread reads by Zipf weight, one in {COUNTS_EVERY} a counts request of an index page
local specs = {lua_table(f"function() return {fmt(r)} end" for r in thread_reqs)}
local ispecs = {lua_table(f"function() return {fmt(r)} end" for r in count_reqs)}
local cdf = {lua_table(cdf(weights))}
local icdf = {lua_table(cdf(index_weights))}
{PICK}
local reqs, ireqs = {{}}, {{}}
reads, counts = 0, 0
function init(args)
  math.randomseed({SEED} + wrk.thread:get("id"))
  for i, f in ipairs(specs) do reqs[i] = f() end
  for i, f in ipairs(ispecs) do ireqs[i] = f() end
end
function request()
  if math.random({COUNTS_EVERY}) == 1 then
    counts = counts + 1
    return ireqs[pick(icdf)]
  end
  reads = reads + 1
  return reqs[pick(cdf)]
end
function done(summary, latency, requests)
  local r, c = 0, 0
  for _, t in ipairs(threads) do r = r + t:get("reads"); c = c + t:get("counts") end
  io.write(string.format("mixed: thread reads %d counts %d\\n", r, c))
end
"""


def poster_lua(post_reqs, weights, per_second):
    bodies = lua_table(
        f"wrk.format({lua_str(m)}, {lua_str(p)}, {lua_table(f'[{lua_str(k)}]={lua_str(v)}' for k, v in h.items())}, "
        f"{lua_str(b)})" for m, p, b, h in post_reqs)
    return f"""-- posters: comments to pages by Zipf weight, paced at {per_second:.1f} a second in all
local ffi = require("ffi")
ffi.cdef[[ typedef struct {{ long tv_sec; long tv_nsec; }} b15_timespec; int clock_gettime(int, b15_timespec *); ]]
local ts = ffi.new("b15_timespec")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9 end
local cdf = {lua_table(cdf(weights))}
{PICK}
local reqs
posts = 0
local interval, slot = {1 / per_second:.9f}, 0
function init(args)
  math.randomseed({SEED} + 100 + wrk.thread:get("id"))
  reqs = {bodies}
end
function delay()
  local t = now()
  if slot < t then slot = t end
  local wait = slot - t
  slot = slot + interval
  return wait * 1000
end
function request()
  posts = posts + 1
  return reqs[pick(cdf)]
end
function done(summary, latency, requests)
  local p = 0
  for _, t in ipairs(threads) do p = p + t:get("posts") end
  io.write(string.format("mixed: posts sent %d\\n", p))
end
"""


def wrk_async(port, script, seconds, conns, threads):
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", script,
           f"http://127.0.0.1:{port}/"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wrk_result(kit, proc):
    out, err = proc.communicate()
    if proc.returncode != 0 or err.strip():
        raise SystemExit(f"wrk failed: {err.strip()}")
    return kit.parse_wrk(out), out


# ----------------------------------------------------------------------------------------------- the runs


class Target:
    """How one server is asked: a thread read, a counts request, a post, and how its posts are counted."""

    def __init__(self, name, thread, counts, post, stored_sql):
        self.name, self.thread, self.counts, self.post, self.stored_sql = name, thread, counts, post, stored_sql


def riposte_target():
    return Target(
        "riposte",
        lambda uri: ("GET", f"/api/v1/threads?site=bench&uri={uri}", None, {}),
        lambda uris: ("GET", "/api/v1/counts?site=bench&" + "&".join(f"uri={u}" for u in uris), None, {}),
        lambda uri, text: ("POST", "/api/v1/comments",
                           json.dumps({"site": "bench", "uri": uri, "text": text, "author": "Mix"}, ensure_ascii=False),
                           {"Content-Type": "application/json"}),
        "SELECT count(*) FROM comments WHERE author = 'Mix'")


def isso_target(port):
    return Target(
        "isso",
        lambda uri: ("GET", f"/?uri={uri}", None, {}),
        lambda uris: ("POST", "/count", json.dumps(uris), {"Content-Type": "application/json"}),
        lambda uri, text: ("POST", f"/new?uri={uri}",
                           json.dumps({"text": text, "author": "Mix", "title": "Bench"}, ensure_ascii=False),
                           {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"}),
        "SELECT count(*) FROM comments WHERE author = 'Mix'")


def measure(kit, args, tmp, server, target, layout, weights):
    """Posting off, then posting on (up to ROUNDS times, until posts are 2% of the thread traffic), against
    one running server; returns the report of the off phase and the last on phase."""
    idx = index_pages(layout)
    reader = kit.lua(os.path.join(tmp, f"mixed_read_{target.name}.lua"), reader_lua(
        [target.thread(u) for u, _ in layout], [target.counts(i) for i in idx], weights, zipf(len(idx))))
    posts = [target.post(u, kit.TEXT) for u, _ in layout]
    out = {"pages": len(layout), "index_pages": len(idx)}
    idle = kit.rss_kb(kit.tree(server.proc.pid))
    rounds, acknowledged = [], 0
    with kit.Sampler(server.proc.pid) as s:
        kit.log(f"  mixed: {target.name}, posting off")
        # A smoke run (1 s phases, beside the other suites of tests/run) only checks that the scenario runs and
        # loses no post: a socket timeout there is the busy machine's, not the server's.
        strict = target.name == "riposte" and args.seconds > 2
        off = reads(kit, wrk_async(server.port, reader, args.seconds, READERS, 2), strict)
        per_second = max(POST_SHARE / (1 - POST_SHARE) * off["thread_reads_per_second"], 1.0)
        for r in range(args.mixed_rounds):
            poster = kit.lua(os.path.join(tmp, f"mixed_post_{target.name}.lua"), poster_lua(posts, weights, per_second))
            kit.log(f"  mixed: {target.name}, posting on ({per_second:.0f} posts/s asked)")
            readers = wrk_async(server.port, reader, args.seconds, READERS, 2)
            posters = wrk_async(server.port, poster, args.seconds, POSTERS, 1)
            on = reads(kit, readers, strict)
            posted, _ = wrk_result(kit, posters)
            posted["acknowledged"] = posted["requests"] - posted["non2xx"]
            posted["asked_per_second"] = round(per_second, 1)
            if (strict and posted["socket_errors"]) or posted["non2xx"]:
                raise SystemExit(f"{target.name} mixed: {posted['acknowledged']} posts acknowledged, "
                                 f"{posted['non2xx']} refused, {posted['socket_errors']} socket errors")
            if not posted["acknowledged"]:
                # Isso, busy with the readers, may answer no post within a short run.
                kit.log(f"  mixed: {target.name} acknowledged no post in {args.seconds} s")
            acknowledged += posted["acknowledged"]
            on["post_share"] = round(posted["acknowledged"] / (posted["acknowledged"] + on["thread_reads"]), 4)
            rounds.append({"posting_on": on, "posts": posted})
            if abs(on["post_share"] - POST_SHARE) <= SHARE_SLACK:
                break
            # Posting slowed the reads (or less than assumed): ask again, halfway (geometrically) to the
            # rate that would be 2% of these reads, so that the rounds settle instead of swinging.
            wanted = POST_SHARE / (1 - POST_SHARE) * on["thread_reads_per_second"]
            per_second = max((per_second * wanted) ** 0.5, 1.0)
    server.stop()
    stored = sqlite3.connect(server.db).execute(target.stored_sql).fetchone()[0]
    # wrk stops counting at its deadline: up to one post per connection and round may be stored unanswered.
    if not acknowledged <= stored <= acknowledged + POSTERS * len(rounds):
        raise SystemExit(f"{target.name} mixed: {acknowledged} posts acknowledged, but {stored} stored")
    best = min(rounds, key=lambda x: abs(x["posting_on"]["post_share"] - POST_SHARE))
    out.update({
        "posting_off": off, **best,
        "rounds": [{"asked_per_second": x["posts"]["asked_per_second"], "post_share": x["posting_on"]["post_share"],
                    "reads_per_second": x["posting_on"]["rps"]} for x in rounds],
        "posts_acknowledged": acknowledged, "posts_stored": stored,
        "reads_on_over_off": round(best["posting_on"]["rps"] / off["rps"], 3),
        "rss_mb": {"idle": round(idle / 1024, 1), "peak": round(s.peak / 1024, 1)},
    })
    return out


def reads(kit, proc, strict):
    """The readers' report: wrk's numbers, and how many of the requests were thread reads and counts.
    `strict`: any socket error fails the run (riposte); Isso, overwhelmed, times some reads out after 10 s,
    which is reported, not fatal."""
    r, text = wrk_result(kit, proc)
    m = re.search(r"mixed: thread reads (\d+) counts (\d+)", text)
    r["thread_reads"], r["counts_requests"] = int(m.group(1)), int(m.group(2))
    r["thread_reads_per_second"] = r["rps"] * r["thread_reads"] / max(1, r["thread_reads"] + r["counts_requests"])
    if r["non2xx"] or (strict and r["socket_errors"]):
        raise SystemExit(f"mixed reads: {r['non2xx']} non-2xx answers, {r['socket_errors']} socket errors")
    return r


def scenario(kit, args, tmp, results, isso):
    """The mixed load against riposte (`kit.RIPOSTE`, any build) and, unless `isso` is false, Isso."""
    layout, weights = pages(args.mixed_pages)
    d = tempfile.mkdtemp(dir=tmp)
    db = os.path.join(d, "mixed.db")
    started = time.perf_counter()
    total = seed_riposte(kit, db, layout)
    kit.log(f"  mixed: riposte seeded with {total} comments on {len(layout)} pages "
            f"in {time.perf_counter() - started:.1f} s")
    # Readers and posters together hold more connections than one address may by default.
    rip = kit.Riposte(d, db=db, extra=f"max_connections_per_peer = {READERS + POSTERS}")
    out = {"riposte": measure(kit, args, d, rip, riposte_target(), layout, weights)}
    out["riposte"]["comments"] = total
    if isso:
        d = tempfile.mkdtemp(dir=tmp)
        iso = kit.Isso(d)  # creates its database and tables
        iso.stop()
        total = seed_isso(iso.db, layout, kit.TEXT)
        iso = kit.Isso(d)
        out["isso"] = measure(kit, args, d, iso, isso_target(iso.port), layout, weights)
        out["isso"]["comments"] = total
        isso_reads = out["isso"]["posting_on"]["rps"]
        out["riposte_over_isso"] = round(out["riposte"]["posting_on"]["rps"] / isso_reads, 1) if isso_reads else None
    results["mixed"] = out


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run as kit  # the server wrappers, wrk and the RSS sampler live there

    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15, help="duration of each phase")
    ap.add_argument("--no-isso", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="1 s per phase, 100 pages, no Isso")
    ap.add_argument("--pages", dest="mixed_pages", type=int, default=2000)
    ap.add_argument("--rounds", dest="mixed_rounds", type=int, default=3, help="posting-on runs at most")
    args = ap.parse_args()
    if args.smoke:
        args.seconds, args.no_isso, args.mixed_pages, args.mixed_rounds = 1, True, 100, 2
    tmp = tempfile.mkdtemp(prefix="riposte-mixed-")
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "seconds_per_phase": args.seconds}
    try:
        scenario(kit, args, tmp, results, not args.no_isso)
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
