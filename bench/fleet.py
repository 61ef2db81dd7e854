#!/usr/bin/env python3
"""The fleet benchmark (issue 14): the read and posting scenarios of bench/run.py on SQLite, on one riposte
server on PostgreSQL, and on two riposte servers sharing one PostgreSQL, on this machine.

    cargo build --release --locked --bin riposte && python3 bench/fleet.py [--seconds 10] [--smoke]

PostgreSQL: Debian's package, a fresh cluster made by tests/postgres with PostgreSQL's own durability
defaults (fsync and synchronous_commit on: RIPOSTE_PG_DURABLE=1), on a free loopback port, stopped at the
end. The same seeded threads as run.py (a 200-comment thread, a 5-comment thread, 20 pages for counts).
Reads: wrk at 64 connections for each row; with two servers, two wrk processes at 32 connections each, one
per server, side by side, their rates added. Posting: wrk posting one comment body for the row's time
(every comment acknowledged only after its commit); then every acknowledged comment is counted in the
database, and the CPU time per stored comment of PostgreSQL's processes and of the servers is read from
/proc before and after. Everything (wrk, PostgreSQL, the servers) shares the machine's cores, so the two-server rows
show what coordination costs, not what a second machine gains.

Prints one JSON object; bench/RESULTS.md keeps the table and the command.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as kit  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_postgres(tmp):
    env = {**os.environ, "RIPOSTE_PG_DURABLE": "1"}
    cluster = os.path.join(tmp, "pg")
    os.chmod(tmp, 0o711)
    url = subprocess.run([os.path.join(ROOT, "tests", "postgres"), "start", cluster], check=True,
                         capture_output=True, text=True, env=env).stdout.strip()
    return cluster, url


def psql(url, sql):
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


def count_comments(db, uri):
    sql = f"SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id WHERE t.uri = '{uri}'"
    if db.startswith("postgres://"):
        out = subprocess.run(["psql", db, "-tA", "-c", sql], check=True, capture_output=True, text=True)
        return int(out.stdout.strip())
    import sqlite3
    return sqlite3.connect(db).execute(sql).fetchone()[0]


def reads(servers, seconds, results, label):
    targets = [("thread200", "/t200/"), ("thread5", "/t5/"), ("counts20", None)]
    for name, uri in targets:
        target = servers[0].thread_target(uri) if uri else servers[0].counts_target()
        if len(servers) == 1:
            r = kit.wrk(servers[0].port, target, seconds)
        else:
            r = side_by_side(servers, target, seconds, 64 // len(servers))
        kit.log(f"  {label} {name}: {r['rps']:.0f}/s p99 {r['p99_ms']} ms")
        results.setdefault(name, {})[label] = r


def side_by_side(servers, target, seconds, conns, script=None):
    out = [None] * len(servers)

    def one(i):
        out[i] = kit.wrk(servers[i].port, target, seconds, conns=conns, script=script)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(servers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "rps": sum(r["rps"] for r in out),
        "requests": sum(r["requests"] for r in out),
        "non2xx": sum(r["non2xx"] for r in out),
        "socket_errors": sum(r["socket_errors"] for r in out),
        "p50_ms": max(r["p50_ms"] for r in out),
        "p99_ms": max(r["p99_ms"] for r in out),
    }


def cpu_seconds(pids):
    """CPU time (user + system) so far of PostgreSQL's processes (every process named `postgres`: the
    script's cluster is the machine's only one) and of the given riposte processes, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"postgres": 0.0, "riposte": 0.0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(pid) in pids:
            out["riposte"] += used
        elif comm == "postgres":
            out["postgres"] += used
    return out


def posting(servers, db, seconds, tmp, results, label):
    body = json.dumps({"site": "bench", "uri": "/post/", "text": kit.TEXT, "author": "Last"}, ensure_ascii=False)
    script = kit.lua(os.path.join(tmp, f"post_{label}.lua"),
                     f'wrk.method = "POST"\nwrk.body = \'{body}\'\nwrk.headers["Content-Type"] = "application/json"\n')
    before = count_comments(db, "/post/")
    pids = {server.proc.pid for server in servers}
    cpu_before = cpu_seconds(pids)
    if len(servers) == 1:
        r = kit.wrk(servers[0].port, "/api/v1/comments", seconds, script=script)
    else:
        r = side_by_side(servers, "/api/v1/comments", seconds, 64 // len(servers), script=script)
    r["acknowledged"] = r["requests"] - r["non2xx"]
    cpu_after = cpu_seconds(pids)
    r["stored"] = count_comments(db, "/post/") - before
    for who in ("postgres", "riposte"):
        r[f"{who}_cpu_us_per_post"] = round(1e6 * (cpu_after[who] - cpu_before[who]) / max(r["stored"], 1))
    kit.log(f"  {label} post: {r['rps']:.0f}/s p99 {r['p99_ms']} ms, {r['acknowledged']} acknowledged, "
            f"{r['stored']} stored; CPU per post: PostgreSQL {r['postgres_cpu_us_per_post']} µs, "
            f"riposte {r['riposte_cpu_us_per_post']} µs")
    results.setdefault("post", {})[label] = r


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--smoke", action="store_true", help="one second per row: checks the harness, measures nothing")
    p.add_argument("--posting-only", action="store_true", help="only the posting rows (reads are skipped)")
    args = p.parse_args()
    read_rows = (lambda *a: None) if args.posting_only else reads
    seconds = 1 if args.smoke else args.seconds
    results = {"seconds": seconds}
    with tempfile.TemporaryDirectory() as tmp:
        kit.log("SQLite, one server")
        rip = kit.Riposte(tmp)
        kit.seed(rip)
        read_rows([rip], seconds, results, "sqlite")
        posting([rip], rip.db, seconds, tmp, results, "sqlite")
        rip.stop()

        cluster, url = start_postgres(tmp)
        try:
            psql(url, "CREATE DATABASE fleet")
            db = url.rsplit("/", 1)[0] + "/fleet"
            kit.log("PostgreSQL, one server")
            one = kit.Riposte(tmp, db=db)
            kit.seed(one)
            read_rows([one], seconds, results, "postgres1")
            posting([one], db, seconds, tmp, results, "postgres1")
            kit.log("PostgreSQL, two servers on one database")
            two = kit.Riposte(tmp, db=db)
            read_rows([one, two], seconds, results, "postgres2")
            posting([one, two], db, seconds, tmp, results, "postgres2")
            two.stop()
            one.stop()
        finally:
            subprocess.run([os.path.join(ROOT, "tests", "postgres"), "stop", cluster], check=False)
    for name in ("thread200", "thread5", "counts20", "post"):
        if name not in results:
            continue
        row = results[name]
        row["postgres1_vs_sqlite"] = round(row["postgres1"]["rps"] / row["sqlite"]["rps"], 2)
        row["postgres2_vs_sqlite"] = round(row["postgres2"]["rps"] / row["sqlite"]["rps"], 2)
    for label in ("sqlite", "postgres1", "postgres2"):
        r = results["post"][label]
        if r["stored"] < r["acknowledged"]:
            raise SystemExit(f"{label}: {r['acknowledged']} acknowledged, only {r['stored']} stored")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
