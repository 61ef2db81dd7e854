#!/usr/bin/env python3
"""riposte beside Isso 0.14 and "the limit", under the same load generator, on this machine, in one run.

    python3 bench/run.py                # the full run (about 10 minutes); writes bench/out/results.json
    python3 bench/run.py --smoke        # a few seconds per part, no Isso: proves the script still works
    python3 bench/run.py --only mixed   # one part (reads, posting, mixed, startup, database, widget)

See bench/README.md. Needs wrk (Debian package `wrk`, installed when missing and run as root), Python 3,
and for the widget part Chromium with the npm packages of tests/browser (npm ci there).
"""
import argparse
import atexit
import http.client
import http.server
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import mixed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
# The test command's smoke run points these at debug builds.
RIPOSTE = os.environ.get("RIPOSTE_BIN", os.path.join(ROOT, "target", "release", "riposte"))
LIMIT = os.environ.get("LIMIT_BIN", os.path.join(ROOT, "target", "release", "examples", "limit"))
ISSO_VENV = os.path.join(ROOT, "target", "isso-venv")
COUNT_PAGES = [f"/c/{i}/" for i in range(20)]
TEXT = ("Danke für den Beitrag! Ich sehe das ähnlich, aber *nicht ganz*: gerade kleine Firmen "
        "profitieren von einem eigenen Blog. Mehr dazu unter www.example.org/notizen.")


CHILDREN = []


@atexit.register
def _stop_children():
    for p in CHILDREN:
        if p.poll() is None:
            p.terminate()
            p.wait()


def spawn(cmd, **kw):
    p = subprocess.Popen(cmd, **kw)
    CHILDREN.append(p)
    return p


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def request(port, method, target, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    c.request(method, target, None if body is None else json.dumps(body), h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def wait_http(port, target, deadline=30):
    end = time.time() + deadline
    while True:
        try:
            st, _ = request(port, "GET", target)
            if st < 500:
                return
        except OSError:
            pass
        if time.time() > end:
            raise SystemExit(f"nothing answered on port {port}")
        time.sleep(0.01)


def rss_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def tree(pid):
    """The process and all its descendants (gunicorn's workers)."""
    pids = [pid]
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    pids.extend(tree(int(p)))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return pids


class Sampler:
    """Samples the RSS of a process tree every 100 ms while load runs."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_kb(tree(self.pid)))
            time.sleep(0.1)

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        self.t.join()


def wrk(port, target, seconds, conns=64, script=None):
    cmd = ["wrk", f"-t{min(2, conns)}", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    cmd.append(f"http://127.0.0.1:{port}{target}")
    run = subprocess.run(cmd, capture_output=True, text=True, check=True)
    if run.stderr.strip():
        raise SystemExit(f"wrk complained: {run.stderr.strip()}")
    return parse_wrk(run.stdout)


def parse_wrk(out):
    """Throughput, counts and latency percentiles from wrk's `--latency` report."""

    def unit(v, u):
        return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    return {
        "rps": rps, "requests": total, "non2xx": non2xx,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "p50_ms": unit(*p50.groups()), "p99_ms": unit(*p99.groups()),
    }


def lua(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


# ---------------------------------------------------------------------------------------------- servers

# Posting is measured as Isso's is, without proof of work (the widget solves it in the browser before it
# posts; bench/challenge.mjs measures that); the spam filter runs. Binaries from before the setting existed
# refuse the key: bench/ab.py --a-legacy leaves it out for the baseline.
SITE_EXTRA = 'pow = "off"\n'


class Riposte:
    def __init__(self, tmp, extra="", db=None, origin="http://127.0.0.1"):
        self.port = free_port()
        self.db = db or os.path.join(tmp, f"riposte-{self.port}.db")
        self.config = os.path.join(tmp, f"riposte-{self.port}.toml")
        with open(self.config, "w") as f:
            f.write(f'listen = "127.0.0.1:{self.port}"\ndatabase = "{self.db}"\n{extra}\n'
                    "[rate_limits]\ncomments = { burst = 1000000, every_ms = 0.001 }\n"
                    "edits = { burst = 1000000, every_ms = 0.001 }\nreads = { burst = 1000000, every_ms = 0.001 }\n"
                    f'[[sites]]\nid = "bench"\norigins = ["{origin}"]\n{SITE_EXTRA}')
        self.started = time.perf_counter()
        # stdout carries only the "listening on" line; this script's own stdout is the results.
        self.proc = spawn([RIPOSTE, "--config", self.config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env={**os.environ, "RUST_LOG": "error"})
        wait_http(self.port, "/healthz")
        self.startup_ms = (time.perf_counter() - self.started) * 1000

    def post(self, uri, text, parent=None, author="Anna"):
        st, body = request(self.port, "POST", "/api/v1/comments",
                           {"site": "bench", "uri": uri, "text": text, "parent": parent, "author": author})
        assert st == 201, (st, body)
        return json.loads(body)["comment"]["id"]

    def thread_target(self, uri):
        return f"/api/v1/threads?site=bench&uri={uri}"

    def counts_target(self):
        return "/api/v1/counts?site=bench&" + "&".join(f"uri={p}" for p in COUNT_PAGES)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Isso:
    """Isso 0.14 from PyPI in a virtualenv, under gunicorn with 4 workers, as its docs recommend."""

    def __init__(self, tmp):
        if not os.path.exists(os.path.join(ISSO_VENV, "bin", "gunicorn")):
            log("installing isso 0.14.0 and gunicorn into", ISSO_VENV)
            subprocess.run([sys.executable, "-m", "venv", ISSO_VENV], check=True)
            subprocess.run([os.path.join(ISSO_VENV, "bin", "pip"), "install", "-q", "--disable-pip-version-check",
                            "isso==0.14.0", "gunicorn"], check=True)
        self.port = free_port()
        self.db = os.path.join(tmp, "isso.db")
        cfg = os.path.join(tmp, "isso.cfg")
        with open(cfg, "w") as f:
            f.write(f"""[general]
dbpath = {self.db}
host = http://127.0.0.1:{self.port}/
[server]
listen = http://127.0.0.1:{self.port}/
[moderation]
enabled = false
[guard]
enabled = true
ratelimit = 1000000
direct-reply = 1000000
reply-to-self = true
require-author = false
require-email = false
""")
        self.started = time.perf_counter()
        self.proc = spawn(
            [os.path.join(ISSO_VENV, "bin", "gunicorn"), "-b", f"127.0.0.1:{self.port}", "-w", "4", "--preload",
             "isso.run"],
            env={**os.environ, "ISSO_SETTINGS": cfg}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(self.port, "/?uri=/nothing/", deadline=60)
        self.startup_ms = (time.perf_counter() - self.started) * 1000

    def post(self, uri, text, parent=None, author="Anna"):
        # Isso fetches a new thread's page for its title unless one is given.
        st, body = request(self.port, "POST", f"/new?uri={uri}",
                           {"text": text, "parent": parent, "author": author, "title": "Bench"},
                           {"Origin": f"http://127.0.0.1:{self.port}"})
        assert st in (201, 202), (st, body)
        return json.loads(body)["id"]

    def thread_target(self, uri):
        return f"/?uri={uri}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def seed(server, n200=200, n5=5):
    """The same threads on every server: 200 comments (a third top-level, the rest replies two deep), 5
    comments, and 20 pages with 1 to 20 comments for the counts."""
    ids = []
    for i in range(n200):
        parent = None if i % 3 == 0 else ids[i - 1]
        ids.append(server.post("/t200/", f"{TEXT} ({i})", parent))
    for i in range(n5):
        server.post("/t5/", f"{TEXT} ({i})")
    for n, page in enumerate(COUNT_PAGES):
        for i in range(n % 4 + 1):
            server.post(page, f"Kurz ({i})")


# ------------------------------------------------------------------------------------------------- parts


def read_scenarios(args, tmp, results, isso):
    rip = Riposte(tmp)
    seed(rip)
    idle = rss_kb([rip.proc.pid])
    bodies = {}
    for name, target in [("thread200", rip.thread_target("/t200/")), ("thread5", rip.thread_target("/t5/")),
                         ("counts20", rip.counts_target())]:
        _, bodies[name] = request(rip.port, "GET", target)
        path = os.path.join(tmp, f"{name}.json")
        with open(path, "wb") as f:
            f.write(bodies[name])
    limit_port = free_port()
    limit = spawn([LIMIT, "--listen", f"127.0.0.1:{limit_port}"] + sum(
        (["--route", f"{t}={os.path.join(tmp, n + '.json')}"] for n, t in
         [("thread200", rip.thread_target("/t200/")), ("thread5", rip.thread_target("/t5/")),
          ("counts20", rip.counts_target())]), []), stderr=subprocess.DEVNULL)
    wait_http(limit_port, rip.thread_target("/t5/"))
    count_lua = lua(os.path.join(tmp, "isso_count.lua"),
                    f'wrk.method = "POST"\nwrk.body = \'{json.dumps(COUNT_PAGES)}\'\n'
                    'wrk.headers["Content-Type"] = "application/json"\n')
    with Sampler(rip.proc.pid) as s:
        for name, target in [("thread200", rip.thread_target("/t200/")), ("thread5", rip.thread_target("/t5/")),
                             ("counts20", rip.counts_target())]:
            log(f"  {name}: riposte")
            results[name] = {"riposte": wrk(rip.port, target, args.seconds)}
            log(f"  {name}: limit")
            results[name]["limit"] = wrk(limit_port, target, args.seconds)
    results["rss_mb"] = {"riposte": {"idle": round(idle / 1024, 1), "under_load": round(s.peak / 1024, 1)}}
    results["thread200"]["bytes"] = len(bodies["thread200"])
    limit.terminate()
    limit.wait()
    rip.stop()
    if isso:
        iso = Isso(tmp)
        seed(iso)
        idle = rss_kb(tree(iso.proc.pid))
        with Sampler(iso.proc.pid) as s:
            for name, target in [("thread200", iso.thread_target("/t200/")), ("thread5", iso.thread_target("/t5/"))]:
                log(f"  {name}: isso")
                results[name]["isso"] = wrk(iso.port, target, args.seconds)
            log("  counts20: isso")
            results["counts20"]["isso"] = wrk(iso.port, "/count", args.seconds, script=count_lua)
        results["rss_mb"]["isso"] = {"idle": round(idle / 1024, 1), "under_load": round(s.peak / 1024, 1)}
        iso.stop()


def measure_post(args, server, tmp, name, target, body, count_sql, headers=None):
    """wrk posting one JSON body for the run's duration; then how many comments the database holds."""
    # Lua string literals take UTF-8 as it is, but no \u escapes.
    text = json.dumps(body, ensure_ascii=False)
    script = f'wrk.method = "POST"\nwrk.body = \'{text}\'\nwrk.headers["Content-Type"] = "application/json"\n'
    for k, v in (headers or {}).items():
        script += f'wrk.headers["{k}"] = "{v}"\n'
    log(f"  post: {name}")
    r = wrk(server.port, target, args.seconds, script=lua(os.path.join(tmp, f"post_{name}.lua"), script))
    server.stop()
    r["acknowledged"] = r["requests"] - r["non2xx"]
    r["stored"] = sqlite3.connect(server.db).execute(count_sql).fetchone()[0]
    return r


def post_scenario(args, tmp, results, isso):
    rip = Riposte(tmp)
    results["post"] = {"riposte": measure_post(
        args, rip, tmp, "riposte", "/api/v1/comments", {"site": "bench", "uri": "/post/", "text": TEXT, "author": "Last"},
        "SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id WHERE t.uri = '/post/'")}
    if isso:
        iso = Isso(tmp)
        results["post"]["isso"] = measure_post(
            args, iso, tmp, "isso", "/new?uri=/post/", {"text": TEXT, "author": "Last", "title": "Bench"},
            "SELECT count(*) FROM comments c JOIN threads t ON t.id = c.tid WHERE t.uri = '/post/'",
            {"Origin": f"http://127.0.0.1:{iso.port}"})


def startup(args, tmp, results, isso):
    times = []
    for _ in range(5):
        r = Riposte(tempfile.mkdtemp(dir=tmp))
        times.append(r.startup_ms)
        r.stop()
    results["startup_ms"] = {"riposte": round(statistics.median(times), 1)}
    if isso:
        i = Isso(tempfile.mkdtemp(dir=tmp))
        results["startup_ms"]["isso"] = round(i.startup_ms, 1)
        i.stop()


def big_database(args, tmp, results):
    """Thread-read latency with 1,000 versus 1,000,000 comments in the database, written straight into SQLite;
    the response cache is off, so every read runs the queries."""
    out = {}
    for total in (1_000, args.million):
        d = tempfile.mkdtemp(dir=tmp)
        db = os.path.join(d, "big.db")
        subprocess.run([RIPOSTE, "site", "add", "bench", "--origin", "http://127.0.0.1", "--database", db],
                       check=True, capture_output=True)
        con = sqlite3.connect(db)
        con.execute("PRAGMA journal_mode=WAL")
        now = int(time.time() * 1000)
        per_thread = 100
        threads = total // per_thread
        con.executemany("INSERT INTO threads (id, site_id, uri, created) VALUES (?, 'bench', ?, ?)",
                        ((t + 1, f"/big/{t}/", now) for t in range(threads)))

        def rows():
            cid = 0
            for t in range(threads):
                for i in range(per_thread):
                    cid += 1
                    top = i % 3 == 0
                    parent = None if top else cid - (i % 3)
                    yield (cid, t + 1, parent, None if top else cid - (i % 3), 0 if top else 1,
                           f"{TEXT} ({cid})", f"<p>{TEXT} ({cid})</p>\n", now + cid)

        con.executemany(
            "INSERT INTO comments (id, thread_id, parent_id, root_id, depth, status, author, text, html, avatar, created)"
            " VALUES (?, ?, ?, ?, ?, 'published', 'Anna', ?, ?, '0123456789abcdef', ?)", rows())
        con.commit()
        con.close()
        rip = Riposte(d, extra="response_cache = false", db=db)
        target = rip.thread_target(f"/big/{threads // 2}/")
        wait_http(rip.port, target)
        r = wrk(rip.port, target, max(2, args.seconds // 2), conns=1)
        rip.stop()
        out[str(total)] = {"p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"], "rps_one_connection": r["rps"]}
        log(f"  {total} comments: p50 {r['p50_ms']} ms")
    results["big_database"] = out


class Host(http.server.BaseHTTPRequestHandler):
    page = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(Host.page)

    def log_message(self, *a):
        pass


def widget(args, tmp, results):
    host_port = free_port()
    rip = Riposte(tmp, origin=f"http://127.0.0.1:{host_port}")
    seed(rip, n5=0)
    Host.page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
                 f'<div id="riposte-thread"></div><script src="http://127.0.0.1:{rip.port}/embed.js" '
                 f'data-site="bench" data-uri="/t200/" async></script></body></html>').encode()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), Host)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    out = subprocess.run(["node", os.path.join(ROOT, "bench", "widget.mjs"), f"http://127.0.0.1:{host_port}/",
                          str(args.widget_runs)], capture_output=True, text=True)
    srv.shutdown()
    rip.stop()
    if out.returncode != 0:
        raise SystemExit("widget measurement failed:\n" + out.stderr)
    results["widget"] = json.loads(out.stdout)


PARTS = ["reads", "posting", "mixed", "startup", "database", "widget"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15, help="duration of each wrk run")
    ap.add_argument("--smoke", action="store_true", help="a few seconds in all, without Isso")
    ap.add_argument("--no-isso", action="store_true")
    ap.add_argument("--million", type=int, default=1_000_000, help="comments in the big database")
    ap.add_argument("--widget-runs", type=int, default=15)
    ap.add_argument("--mixed-pages", type=int, default=2000, help="pages of the mixed load (bench/mixed.py)")
    ap.add_argument("--mixed-rounds", type=int, default=3, help="posting-on runs of the mixed load, at most")
    ap.add_argument("--only", action="append", choices=PARTS, help="run only this part (repeatable)")
    args = ap.parse_args()
    if args.smoke:
        args.seconds, args.no_isso, args.million, args.widget_runs, args.mixed_pages, args.mixed_rounds = 1, True, 20_000, 2, 100, 2
    if not shutil.which("wrk"):
        if os.geteuid() == 0:
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        else:
            raise SystemExit("wrk is not installed: apt-get install wrk")
    for binary in (RIPOSTE, LIMIT):
        if not os.path.exists(binary):
            raise SystemExit(f"{binary} is missing: cargo build --release --bin riposte --example limit")
    tmp = tempfile.mkdtemp(prefix="riposte-bench-")
    isso = not args.no_isso
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "seconds_per_run": args.seconds,
               "connections": 64, "cores": os.cpu_count(),
               "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]}
    this = sys.modules[__name__]
    parts = {
        "reads": lambda: read_scenarios(args, tmp, results, isso),
        "posting": lambda: post_scenario(args, tmp, results, isso),
        "mixed": lambda: mixed.scenario(this, args, tmp, results, isso),
        "startup": lambda: startup(args, tmp, results, isso),
        "database": lambda: big_database(args, tmp, results),
        "widget": lambda: widget(args, tmp, results),
    }
    try:
        for name in PARTS:
            if not args.only or name in args.only:
                log(name)
                parts[name]()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))
    # wrk stops counting at its deadline: up to one request per connection may be stored but unanswered.
    for name, post in results.get("post", {}).items():
        if not post["acknowledged"] <= post["stored"] <= post["acknowledged"] + 64:
            raise SystemExit(f"{name}: {post['acknowledged']} acknowledged, but {post['stored']} stored")


if __name__ == "__main__":
    main()
