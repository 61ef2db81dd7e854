#!/usr/bin/env python3
"""A bounded, mixed load on loopback, with the server's memory sampled (the hardening issue's load run).

    cargo build --release && python3 bench/load.py [--seconds 60] [--clients 16]

Starts target/release/riposte on a free port with a fresh database and the default posting limit (so
posts beyond it are expected to get 429), lets N clients on keep-alive connections read threads and
counts and post comments (about one request in ten is a post) for the given time, samples the server's
RSS every second, and prints a summary. Exits non-zero on any status other than 200/201/202/429, on any
connection error, or if RSS at the end exceeds RSS after warm-up by more than 25%.
Standard library only.
"""
import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/riposte"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="riposte-load-")
    port = free_port()
    with open(os.path.join(tmp, "riposte.toml"), "w") as f:
        # Reads lifted so that one loopback address can load the server; posting keeps its default limit.
        f.write('[rate_limits]\nreads = { burst = 1, every_ms = 0 }\nedits = { burst = 1, every_ms = 0 }\n')
    server = subprocess.Popen(
        [args.bin, "--config", os.path.join(tmp, "riposte.toml"), "--listen", f"127.0.0.1:{port}",
         "--database", os.path.join(tmp, "riposte.db")],
        stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    try:
        deadline = time.time() + 20
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                if time.time() > deadline:
                    sys.exit("riposte did not start")
                time.sleep(0.05)

        # Seed 20 pages (one with 200 comments, the others with 10) straight into SQLite: through the API,
        # the posting limit of the single loopback address would take minutes.
        import sqlite3
        db = sqlite3.connect(os.path.join(tmp, "riposte.db"))
        now = int(time.time() * 1000)
        cid = 0
        for page in range(20):
            db.execute("INSERT INTO threads (site_id, uri, created) VALUES ('demo', ?, ?)", (f"/p/{page}/", now))
            tid = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            for i in range(200 if page == 0 else 10):
                cid += 1
                parent = None if i % 3 == 0 else cid - (i % 3)
                root = None if parent is None else cid - (i % 3)
                db.execute(
                    "INSERT INTO comments (id, thread_id, parent_id, root_id, depth, status, author, text, html, avatar, created)"
                    " VALUES (?, ?, ?, ?, ?, 'published', 'Anna', 'Hallo', '<p>Hallo</p>\n', 'abcdef0123456789', ?)",
                    (cid, tid, parent, root, 0 if parent is None else 1, now))
        db.commit()
        db.close()

        stop = time.time() + args.seconds
        statuses = Counter()
        errors = Counter()
        latencies = []
        lock = threading.Lock()

        def client(n):
            rnd = random.Random(n)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            local_status, local_lat, local_err = Counter(), [], Counter()
            while time.time() < stop:
                r = rnd.random()
                try:
                    t0 = time.perf_counter()
                    if r < 0.1:
                        body = json.dumps({"site": "demo", "uri": f"/p/{rnd.randrange(20)}/", "text": f"Last {n}"})
                        conn.request("POST", "/api/v1/comments", body, {"Content-Type": "application/json"})
                    elif r < 0.3:
                        q = "&".join(f"uri=/p/{i}/" for i in range(20))
                        conn.request("GET", f"/api/v1/counts?site=demo&{q}")
                    else:
                        conn.request("GET", f"/api/v1/threads?site=demo&uri=/p/{rnd.randrange(20)}/")
                    resp = conn.getresponse()
                    resp.read()
                    local_lat.append(time.perf_counter() - t0)
                    local_status[resp.status] += 1
                except Exception as e:  # a refused or reset connection is a failure of the run
                    local_err[type(e).__name__] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with lock:
                statuses.update(local_status)
                errors.update(local_err)
                latencies.extend(local_lat)

        samples = []
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        while time.time() < stop:
            samples.append(rss_kb(server.pid))
            time.sleep(1)
        for t in threads:
            t.join()

        total = sum(statuses.values())
        latencies.sort()
        warm = samples[min(5, len(samples) - 1)]
        result = {
            "seconds": args.seconds,
            "clients": args.clients,
            "requests": total,
            "requests_per_second": round(total / args.seconds),
            "statuses": dict(sorted(statuses.items())),
            "connection_errors": dict(errors),
            "latency_ms": {
                "p50": round(statistics.median(latencies) * 1000, 2),
                "p99": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
                "max": round(latencies[-1] * 1000, 2),
            },
            "rss_mb": {
                "after_warmup": round(warm / 1024, 1),
                "max": round(max(samples) / 1024, 1),
                "end": round(samples[-1] / 1024, 1),
            },
        }
        print(json.dumps(result, indent=2))
        unexpected = {s: c for s, c in statuses.items() if s not in (200, 201, 202, 429)}
        ok = not unexpected and not errors and samples[-1] <= warm * 1.25
        print("load run:", "ok" if ok else f"FAILED (unexpected statuses {unexpected}, errors {dict(errors)})")
        sys.exit(0 if ok else 1)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
