"""`eventlake compact` of about 1000 small files, local lake against S3 lake, in the same run (not
part of ctest).

Starts `eventlake broker` and a Ceph cluster with its RADOS gateway on loopback
(tests/integration/ceph_cluster.py), produces BATCHES x 1000 events spread over 2 event types and
25 days to one partition, then lands them in BATCHES appending runs (`--partition-by dt`) into a
local lake and into a bucket: every (type, day) folder gets BATCHES small files (50 folders, 48
closed). Then times `eventlake compact events` on each lake (the S3 one with an empty cache) and
checks that both still count every event once. Prints the seconds and the ratio S3 / local, and
appends them to bench/results/s3_compact-<UTC date>.txt.

Usage: python3 bench/s3_compact.py [BATCHES (20)]   (EVENTLAKE_BIN: default build/eventlake)
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
os.environ.setdefault("EVENTLAKE_BIN", str(HERE.parent / "build" / "eventlake"))

import harness  # noqa: E402
from bench_report import Report  # noqa: E402
from ceph_cluster import running_cluster  # noqa: E402

PER_BATCH = 1000


def events(n):
    return "".join(json.dumps({"event_type": ["buy", "view"][i % 2], "i": i, "user": f"u{i % 97}",
                               "ts": f"2026-01-{1 + (i // 2) % 25:02d}T12:00:00Z"}) + "\n"
                   for i in range(n)).encode()


def count(lake, env):
    return harness.run(["query", "--lake", lake, "--format", "csv",
                        "SELECT count(*), count(DISTINCT _offset) FROM events"], env=env).stdout.split()[-1]


def main():
    batches = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    n = batches * PER_BATCH
    report = Report("s3_compact", "Ceph 16 memstore OSD + RADOS gateway on loopback")
    root = Path(tempfile.mkdtemp(prefix="eventlake-bench-compact-"))
    procs = harness.Procs(root)
    try:
        _, brokers = procs.broker(root / "data")
        harness.create_topic(brokers, "events", 1)
        harness.kcat(["-P", "-b", brokers, "-t", "events", "-p", "0"], input=events(n), timeout=600)
        with running_cluster(str(root / "ceph")) as ceph:
            ceph.s3().create_bucket(Bucket="bench")
            env = dict(os.environ, **ceph.env(), AWS_CONFIG_FILE="/nonexistent",
                       AWS_SHARED_CREDENTIALS_FILE="/nonexistent", XDG_CACHE_HOME=str(root / "xdg"))
            lakes = [("local", str(root / "lake"), None), ("s3", "s3://bench/lake", env)]
            for name, lake, e in lakes:
                t0 = time.monotonic()
                for b in range(batches):
                    harness.run(["land", "--brokers", brokers, "--lake", lake, "--topic", "events",
                                 "--partition-by", "dt", "--event-time-field", "ts", "--mode", "append",
                                 "--from", str(b * PER_BATCH), "--to", str((b + 1) * PER_BATCH)],
                                env=e, timeout=600)
                report.line(f"{name:5s} landed {n} events in {batches} batches: {time.monotonic() - t0:.1f} s")
            seconds = {}
            for name, lake, e in lakes:
                before = count(lake, e)
                t0 = time.monotonic()
                out = harness.run(["compact", "events", "--lake", lake], env=e, timeout=1200).stdout.strip()
                seconds[name] = time.monotonic() - t0
                after = count(lake, e)
                assert before == after == f"{n},{n}", (name, before, after)
                report.line(f"{name:5s} compact: {seconds[name]:6.2f} s  {out}")
            report.line(f"compact of {batches * 50} files ({batches * 48} in closed folders): local "
                        f"{seconds['local']:.2f} s, S3 {seconds['s3']:.2f} s, S3 / local "
                        f"{seconds['s3'] / seconds['local']:.1f}x")
            report.write()
    finally:
        procs.kill_all()
        subprocess.run(["rm", "-rf", str(root)], check=False)


if __name__ == "__main__":
    sys.exit(main())
