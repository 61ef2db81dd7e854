#!/usr/bin/env python3
"""The site feed of a quiet site while another site holds many comments: the quiet site's few comments are
the oldest in the database, so a feed query that is not indexed by site walks every comment of the busy
site before it finds them. Prints the latency of the quiet site's feed (and, for comparison, the busy
site's), one connection, response cache off, so every read runs the query.

    cargo build --release --bin riposte && python3 bench/feed.py [--busy 300000] [--quiet 20] [--reads 200]

RIPOSTE_BIN names another build (an older commit's, for a before/after). Results go to bench/RESULTS.md by
hand, with the command."""

import argparse
import http.client
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RIPOSTE = os.environ.get("RIPOSTE_BIN", os.path.join(ROOT, "target", "release", "riposte"))
PER_PAGE = 100
HTML = "<p>Danke für den Beitrag! Ich habe das gleich ausprobiert, und es klappt.</p>\n"


def riposte(db, *args):
    subprocess.run([RIPOSTE, *args, "--database", db], check=True, capture_output=True)


def seed(db, busy, quiet):
    """Sites through the binary (which migrates the database), comments straight into its tables: the quiet
    site's first, then the busy site's, all published."""
    riposte(db, "site", "add", "busy", "--origin", "https://busy.example")
    riposte(db, "site", "add", "quiet", "--origin", "https://quiet.example")
    conn = sqlite3.connect(db)
    with conn:
        insert = ("INSERT INTO comments (thread_id, status, author, text, html, avatar, created) "
                  "VALUES (?, 'published', 'Leser', 'Danke', ?, '', ?)")
        conn.execute("INSERT INTO threads (site_id, uri, title, created) VALUES ('quiet', '/still/', 'Still', 0)")
        quiet_thread = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        conn.executemany(insert, ((quiet_thread, HTML, n) for n in range(quiet)))
        pages = (busy + PER_PAGE - 1) // PER_PAGE
        conn.executemany("INSERT INTO threads (site_id, uri, title, created) VALUES ('busy', ?, NULL, 0)",
                         ((f"/p/{p}/",) for p in range(pages)))
        first = conn.execute("SELECT min(id) FROM threads WHERE site_id = 'busy'").fetchone()[0]
        conn.executemany(insert, ((first + n // PER_PAGE, HTML, quiet + n) for n in range(busy)))
    conn.close()


def start(dir, db):
    config = os.path.join(dir, "riposte.toml")
    with open(config, "w") as f:
        # Cache off so that every read runs the query; the read limit lifted so that it never answers 429.
        f.write("response_cache = false\ndemo = false\n"
                "[rate_limits]\nreads = { burst = 1000000, every_ms = 0.001 }\n")
    proc = subprocess.Popen([RIPOSTE, "--config", config, "--listen", "127.0.0.1:0", "--database", db],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if line.startswith("riposte listening on http://"):
            return proc, int(line.strip().rsplit(":", 1)[1])
    raise SystemExit("riposte did not report its address")


def measure(port, path, reads):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for _ in range(reads + 10):
        start = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        times.append(time.perf_counter() - start)
        if r.status != 200:
            raise SystemExit(f"{path}: {r.status} {body[:200]!r}")
    conn.close()
    times = sorted(times[10:])  # the first reads warm the page cache and the statement cache
    return statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000, body.count(b"<entry>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--busy", type=int, default=300_000)
    ap.add_argument("--quiet", type=int, default=20)
    ap.add_argument("--reads", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as dir:
        db = os.path.join(dir, "riposte.db")
        seed(db, args.busy, args.quiet)
        proc, port = start(dir, db)
        try:
            print(f"{RIPOSTE}: {args.busy} comments on busy, {args.quiet} on quiet, {args.reads} reads each")
            for site in ("quiet", "busy"):
                p50, p99, entries = measure(port, f"/api/v1/feed?site={site}", args.reads)
                print(f"  feed of {site:5}: p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  ({entries} entries)")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
