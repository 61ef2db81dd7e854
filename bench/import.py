#!/usr/bin/env python3
"""Import speed and memory: a generated Disqus export (threads with top-level comments and reply chains) is
imported with `riposte import disqus`; prints posts per second, the peak RSS of the riposte process, and
checks that every post arrived and that a second run adds nothing.

    cargo build --release --bin riposte && python3 bench/import.py [--posts 100000] [--threads 2000]

Results go to bench/RESULTS.md by hand, with the command."""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RIPOSTE = os.environ.get("RIPOSTE_BIN", os.path.join(ROOT, "target", "release", "riposte"))

TEXT = ("<p>Danke f&#252;r den Beitrag! Ich habe das gleich ausprobiert, und es klappt. "
        "Mehr dazu unter <a href=\"https://example.org/notizen\">meinen Notizen</a>.</p>")


def generate(path, threads, posts):
    """Threads first, then posts; every fourth post starts a conversation, the next three reply in a chain."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                'xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for t in range(threads):
            f.write(f'<thread dsq:id="t{t}"><link>https://blog.example/{t // 100}/post-{t}/</link>'
                    f'<title>Beitrag {t}</title><createdAt>2014-05-06T12:00:00Z</createdAt></thread>\n')
        for p in range(posts):
            parent = f'<parent dsq:id="p{p - 1}"/>' if p % 4 else ""
            f.write(f'<post dsq:id="p{p}"><message><![CDATA[{TEXT} ({p})]]></message>'
                    f'<createdAt>2015-01-{1 + p % 28:02d}T{p % 24:02d}:{p % 60:02d}:00Z</createdAt>'
                    f'<isDeleted>false</isDeleted><isSpam>false</isSpam>'
                    f'<author><name>Leser {p % 500}</name><email>leser{p % 500}@example.org</email></author>'
                    f'<thread dsq:id="t{(p // 4) % threads}"/>{parent}</post>\n')
        f.write("</disqus>\n")


def run(args, *extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run([RIPOSTE, *args, *extra], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"riposte {' '.join(args)} failed:\n{out.stderr}")
    # ru_maxrss of children is the largest child so far (KiB on Linux); each run is one child.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return out.stdout, seconds, peak if peak > before else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=2_000)
    args = ap.parse_args()
    if not os.path.exists(RIPOSTE):
        raise SystemExit(f"{RIPOSTE} is missing: cargo build --release --bin riposte")
    tmp = tempfile.mkdtemp(prefix="riposte-import-")
    xml = os.path.join(tmp, "disqus.xml")
    generate(xml, args.threads, args.posts)
    db = os.path.join(tmp, "riposte.db")
    common = ["--database", db]
    run(["site", "add", "blog", "--origin", "https://blog.example", *common])
    out, seconds, peak = run(["import", "disqus", xml, "--site", "blog", *common])
    if f"{args.posts} new, 0 already there" not in out:
        raise SystemExit(f"not every post was imported:\n{out}")
    again, again_seconds, _ = run(["import", "disqus", xml, "--site", "blog", *common])
    if f"0 new, {args.posts} already there" not in again:
        raise SystemExit(f"the second import was not a no-op:\n{again}")
    result = {
        "posts": args.posts,
        "threads": args.threads,
        "file_mb": round(os.path.getsize(xml) / 1e6, 1),
        "seconds": round(seconds, 2),
        "posts_per_second": round(args.posts / seconds),
        "peak_rss_mb": round(peak / 1024, 1) if peak else None,
        "second_run_seconds": round(again_seconds, 2),
        "database_mb": round(os.path.getsize(db) / 1e6, 1),
    }
    print(json.dumps(result, indent=2))
    sys.stderr.write(out)


if __name__ == "__main__":
    main()
