#!/usr/bin/env python3
"""Console cost benchmark, run by bench/console.sh: the collector's throughput in `eventlake up`
with no console page open and with open pages, in the same run.

One `eventlake up` (broker, collector, follow lander and console in one process). wrk sends
GET /purchase_a_sword (one event per request) for --duration, in rounds that alternate (closed, open, open, closed, ...) between:
  - closed: no page open (the console's live reader is idle);
  - open:   --tabs pages open on Live events (each asks /api/live every 0.5 s, as the page does,
            plus /api/health, /api/metrics and /api/rates every second and /api/disk,
            /api/tables and /api/dead-letters every 5 s, as the Overview does): the live reader
            follows the topic.
Pages are simulated by threads making the page's requests (a real browser would take the same
2 cores the benchmark measures). Prints requests/s per round, the means and the ratio
open/closed (target >= 0.98), the CPU time `eventlake up` used per 1000 requests in each mode (on a
busy machine a steadier measure of what the console adds than requests/s), and the events the open
pages' live view received (the reader followed the load).
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import threading
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402


READER_IDLE_S = 30  # app/live_tail.h kIdle


def get(url):
    with urllib.request.urlopen(url, timeout=10) as res:
        return json.loads(res.read())


class Page(threading.Thread):
    """One open console tab: the requests its scripts make, on their schedule."""

    def __init__(self, console):
        super().__init__(daemon=True)
        self.console, self.stop_flag, self.after, self.seen, self.state = console, False, None, 0, ""

    def run(self):
        tick = 0
        while not self.stop_flag:
            live = get(self.console + "/api/live" + ("" if self.after is None else f"?after={self.after}"))
            if self.after is not None:
                self.seen += len(live["events"])
            self.after, self.state = live["next"], live["state"]
            if tick % 2 == 0:
                for path in ("/api/health", "/api/metrics", "/api/rates"):
                    get(self.console + path)
            if tick % 10 == 0:
                for path in ("/api/disk", "/api/tables", "/api/dead-letters"):
                    get(self.console + path)
            tick += 1
            time.sleep(0.5)


def cpu_seconds(pid):
    """User + system CPU time the process has used."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, duration, conns, threads, pid):
    """(requests/s, CPU milliseconds `pid` used per 1000 requests) of one wrk run."""
    before = cpu_seconds(pid)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}", "--timeout", "10s", url],
                         capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(pid) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), used * 1e6 / requests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duration", default="10s")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--tabs", type=int, default=3)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--command", default="bench/console.sh")
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    procs = harness.Procs(work)
    try:
        up, _, http = procs.up(work / "data")
        console = f"http://127.0.0.1:{up.ports['console']}"
        harness.http_request(http, "GET", "/purchase_a_sword")  # creates the topic, warms up
        pid = up.popen.pid
        wrk(http + "/purchase_a_sword", "3s", a.connections, a.threads, pid)
        results = {"closed": [], "open": []}
        cpu = {"closed": [], "open": []}
        seen = 0
        last = None
        for i in range(a.rounds):
            # closed, open, open, closed, ...: neither kind always runs first.
            for mode in (("closed", "open") if i % 2 == 0 else ("open", "closed")):
                pages = []
                if mode == "open":
                    pages = [Page(console) for _ in range(a.tabs)]
                    for p in pages:
                        p.start()
                    harness.wait_until(lambda: all(p.state == "reading" for p in pages), 15, "the live reader")
                elif last == "open":
                    # The reader stops once no page asked for LiveTail::kIdle (30 s); asking the API
                    # whether it did would start it again, so this waits that long.
                    time.sleep(READER_IDLE_S + 2)
                rps, cpu_per_k = wrk(http + "/purchase_a_sword", a.duration, a.connections, a.threads, pid)
                results[mode].append(rps)
                cpu[mode].append(cpu_per_k)
                last = mode
                for p in pages:
                    p.stop_flag = True
                    seen += p.seen
                for p in pages:
                    p.join()
        closed = sum(results["closed"]) / len(results["closed"])
        opened = sum(results["open"]) / len(results["open"])
        cpu_closed = sum(cpu["closed"]) / len(cpu["closed"])
        cpu_open = sum(cpu["open"]) / len(cpu["open"])
        lines = [
            f"eventlake console cost benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%SZ}, "
            f"{os.cpu_count()} cores, {platform.release()}, load average {' '.join(open('/proc/loadavg').read().split()[:3])}",
            f"{a.command}: eventlake up; wrk -t{a.threads} -c{a.connections} -d{a.duration} GET /purchase_a_sword; "
            f"{a.rounds} rounds alternating no page open and {a.tabs} pages open on Live events + Overview",
            "closed requests/s: " + ", ".join(f"{r:.0f}" for r in results["closed"]) + f"  mean {closed:.0f}",
            "open   requests/s: " + ", ".join(f"{r:.0f}" for r in results["open"]) + f"  mean {opened:.0f}",
            f"ratio open/closed: {opened / closed:.3f} (target >= 0.98)",
            "up's CPU per 1000 requests, closed: " + ", ".join(f"{c:.0f}" for c in cpu["closed"]) +
            f" ms, mean {cpu_closed:.0f}; open: " + ", ".join(f"{c:.0f}" for c in cpu["open"]) +
            f" ms, mean {cpu_open:.0f}; open/closed {cpu_open / cpu_closed:.3f}",
            f"events the open pages' live view received: {seen}",
        ]
        report = "\n".join(lines) + "\n"
        print(report, end="")
        out = pathlib.Path(a.out)
        earlier = out.read_text() if out.exists() else ""
        out.write_text(report + ("\n----- earlier runs -----\n" + earlier if earlier else ""))
        print(f"wrote {out}")
    finally:
        procs.kill_all()


if __name__ == "__main__":
    main()
