#!/usr/bin/env python3
"""Pipeline benchmark, run by bench/pipeline.sh: `eventlake up` under /v1/batch load from wrk at full
speed, and how far the lake falls behind the log.

While wrk posts Segment batches (bench/collector_batch.lua: 100 track calls a request) for
--seconds, a sampler reads, every 0.1 s, the topic's end offsets (every event there was acknowledged
by the broker) and the offsets the lake holds (from the names of the `events` table's files,
<topic>+<partition>+<first>-<last>.parquet). The lake's lag at a moment is how long ago the oldest
event it does not hold yet was acknowledged (0 when it holds everything): seconds behind the newest
acknowledged event. After the load, sampling goes on until the lake holds every event.
Prints events/s acknowledged (wrk's 2xx answers times 100) and landed by the load's end, the
steady-state rates (the log's and the lake's growth over the middle two thirds of the load, which
leaves out the lag the lake starts and ends with), the lag's p50/p99/max over the load, and the
time to catch up once the load stopped; writes the report to --out.

Before the load, at low load: --probes single events (POST /v1/track, one at a time, 0.2 s apart),
each timed from its 2xx answer until the lake's files hold the log's end (visible to `eventlake
query`): p50/p99/max (target p99 <= 1 s).

Uses the standard library, confluent-kafka and the integration tests' harness.
"""
import argparse
import datetime
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402

TOPIC = "events"
EVENTS_PER_REQUEST = 100  # bench/collector_batch.lua
SAMPLE_S = 0.1


def percentile(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def total(offsets):
    return sum(offsets.values())


class Sampler:
    """Acknowledged (log end) and landed positions over time, and the lag they imply."""

    def __init__(self, brokers, lake):
        self.brokers, self.lake = brokers, lake
        self.history = []  # (t, log end per partition)
        self.lags = []     # (t, seconds behind)

    def sample(self):
        now = time.monotonic()
        ends = harness.end_offsets(self.brokers, TOPIC)
        landed = harness.landed_ends(self.lake, TOPIC)
        self.history.append((now, ends))
        behind = 0.0
        for p, end in ends.items():
            have = landed.get(p, 0)
            if have >= end:
                continue
            # The first sample whose end passed `have`: when the oldest event not landed was acked.
            acked_at = next((t for t, e in self.history if e.get(p, 0) > have), now)
            behind = max(behind, now - acked_at)
        self.lags.append((now, behind))
        return ends, landed


def probe_visibility(url, brokers, lake, count):
    """Seconds from each probe event's 2xx answer until the lake holds it."""
    out = []
    for i in range(count):
        status, _, body = harness.http_request(url, "POST", "/v1/track", {
            "type": "track", "userId": "probe", "event": "probe", "messageId": f"probe-{i}"})
        if status != 200:
            raise RuntimeError(f"probe {i}: {status} {body!r}")
        acked = time.monotonic()
        ends = harness.end_offsets(brokers, TOPIC)
        while True:
            landed = harness.landed_ends(lake, TOPIC)
            if all(landed.get(p, 0) >= e for p, e in ends.items()):
                break
            if time.monotonic() - acked > 30:
                raise RuntimeError(f"probe {i} not in the lake after 30 s")
            time.sleep(0.005)
        out.append(time.monotonic() - acked)
        time.sleep(0.2)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--up-args", default="")
    ap.add_argument("--catch-up-timeout", type=int, default=300)
    ap.add_argument("--probes", type=int, default=30)
    ap.add_argument("--command", default="bench/pipeline.sh")
    args = ap.parse_args()
    work = pathlib.Path(args.work)
    procs = harness.Procs(work)
    try:
        up, brokers, url = procs.up(work / "data", extra=args.up_args.split())
        lake = work / "data" / "lake"
        harness.wait_until(lambda: harness.end_offsets(brokers, TOPIC), 30, "the events topic")
        visible = probe_visibility(url, brokers, lake, args.probes)
        sampler = Sampler(brokers, lake)
        wrk = subprocess.Popen(["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d",
                                f"{args.seconds}s", "-s", str(HERE / "collector_batch.lua"), url],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        start = time.monotonic()
        series = []  # (time, events in the log, events in the lake) per sample during the load
        while wrk.poll() is None:
            ends, landed = sampler.sample()
            series.append((time.monotonic() - start, total(ends), total(landed)))
            time.sleep(SAMPLE_S)
        load_end = time.monotonic()
        wrk_out = wrk.stdout.read()
        load_s = load_end - start
        ends, landed = sampler.sample()
        landed_at_load_end = total(landed)
        load_lags = [lag for t, lag in sampler.lags if t <= load_end]
        caught_up = None
        while time.monotonic() - load_end < args.catch_up_timeout:
            ends, landed = sampler.sample()
            if all(landed.get(p, 0) >= e for p, e in ends.items()):
                caught_up = time.monotonic() - load_end
                break
            time.sleep(SAMPLE_S)
        requests = int(re.search(r"(\d+) requests in", wrk_out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk_out)
        errors = re.search(r"Socket errors: (.*)", wrk_out)
        acked = (requests - (int(non2xx.group(1)) if non2xx else 0)) * EVENTS_PER_REQUEST
        in_log = total(ends)
        acked_rate, landed_rate = acked / load_s, landed_at_load_end / load_s
        # Steady state: both slopes over the middle of the load (from a sixth of it to five
        # sixths), so that neither the lag the lake starts with nor the one it ends with counts.
        mid = [x for x in series if load_s / 6 <= x[0] <= load_s * 5 / 6]
        steady_in = steady_landed = 0.0
        if len(mid) >= 2 and mid[-1][0] > mid[0][0]:
            span = mid[-1][0] - mid[0][0]
            steady_in, steady_landed = (mid[-1][1] - mid[0][1]) / span, (mid[-1][2] - mid[0][2]) / span
        lines = [
            f"eventlake pipeline benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%SZ}, "
            f"{os.cpu_count()} cores, {platform.release()}",
            f"command: {args.command}",
            f"load: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s POST /v1/batch "
            f"({EVENTS_PER_REQUEST} track calls a request) against `eventlake up {args.up_args}`".rstrip(),
            f"low load, {args.probes} single events 0.2 s apart: acknowledged -> in the lake p50 "
            f"{percentile(visible, 50):.2f} s, p99 {percentile(visible, 99):.2f} s, max {max(visible, default=0):.2f} s "
            "(target p99 <= 1 s)",
            f"requests {requests}, non-2xx {non2xx.group(1) if non2xx else 0}"
            f"{', socket errors ' + errors.group(1) if errors else ''}; events in the log {in_log}",
            f"{'events/s acknowledged':32}{acked_rate:12.0f}",
            f"{'events/s landed (during load)':32}{landed_rate:12.0f}",
            f"ratio landed/acknowledged: {landed_rate / acked_rate if acked_rate else 0:.2f}x "
            "(by the load's end: short of 1.0x by the lag the lake ends with)",
            f"steady state (middle two thirds of the load): {steady_in:.0f} events/s into the log, "
            f"{steady_landed:.0f} events/s landed, ratio {steady_landed / steady_in if steady_in else 0:.2f}x "
            "(target >= 1.0x)",
            f"lake lag during load (s behind the newest acknowledged event, sampled every {SAMPLE_S} s): "
            f"p50 {percentile(load_lags, 50):.2f}, p99 {percentile(load_lags, 99):.2f}, "
            f"max {max(load_lags, default=0):.2f} (target: max <= 2)",
            "catch-up after the load stopped: " +
            (f"{caught_up:.1f} s" if caught_up is not None else f"not within {args.catch_up_timeout} s"),
        ]
        report = "\n".join(lines) + "\n"
        print(report, end="")
        with open(args.out, "a") as f:
            f.write(report + "\n")
        return 0 if caught_up is not None else 1
    finally:
        procs.kill_all()


if __name__ == "__main__":
    sys.exit(main())
