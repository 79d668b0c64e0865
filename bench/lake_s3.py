"""Batch landing into a local lake and into an S3 lake, timed in the same run (not part of ctest).

Starts `eventlake broker` and a Ceph cluster with its RADOS gateway on loopback
(tests/integration/ceph_cluster.py), produces N game events (`eventlake generate game-events`) to
one partition with kcat, then lands them (batch, default layout, overwrite) REPS times into a fresh
local lake and a fresh prefix of a bucket, alternating. Prints each run's seconds and the ratio
S3 / local of the medians, and appends them to bench/results/lake_s3-<UTC date>.txt; the
difference is the upload and commit of the batch (docs/formats/lake_on_s3.md).

Usage: python3 bench/lake_s3.py [N (200000)] [REPS (3)]   (EVENTLAKE_BIN: default build/eventlake)
       python3 bench/lake_s3.py --land-from BROKERS TOPIC [REPS (1)]   (bench/lander.sh: starts the
       gateway, then REPS times lands TOPIC into a fresh local lake and into a fresh prefix of the
       bucket, alternating, and prints "local SECONDS PEAK_RSS_MB" and "s3 SECONDS PEAK_RSS_MB" for
       each, with the land summaries)
"""
import os
import statistics
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


def land_from(brokers, topic, reps):
    """Batch lands of `topic` into fresh prefixes of a bucket, timed like bench/lander.sh's runs."""
    root = Path(tempfile.mkdtemp(prefix="eventlake-bench-s3-"))
    try:
        with running_cluster(str(root / "ceph")) as ceph:
            s3 = ceph.s3()
            s3.create_bucket(Bucket="bench")
            # A gateway just started is slow on its first writes (its pools' placement groups
            # settle): a few multipart-sized objects first, as a local disk is warm too.
            for i in range(4):
                s3.put_object(Bucket="bench", Key=f"warmup/{i}", Body=os.urandom(8 << 20))
                s3.delete_object(Bucket="bench", Key=f"warmup/{i}")
            env = dict(os.environ, **ceph.env(), AWS_CONFIG_FILE="/nonexistent",
                       AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
            timing = root / "time.txt"
            for rep in range(reps):
                for name, lake in [("local", str(root / f"lake{rep}")), ("s3", f"s3://bench/lake{rep}")]:
                    p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(timing), harness.BIN, "land",
                                        "--brokers", brokers, "--lake", lake, "--topic", topic],
                                       env=env, capture_output=True, text=True, timeout=1200)
                    if p.returncode != 0:
                        print(p.stdout + p.stderr, file=sys.stderr)
                        return 1
                    seconds, rss_kb = timing.read_text().split()[-2:]
                    print(f"{name} {seconds} {int(rss_kb) // 1024}")
                    print(p.stdout.strip())
                    subprocess.run(["rm", "-rf", str(root / f"lake{rep}")], check=False)
            return 0
    finally:
        subprocess.run(["rm", "-rf", str(root)], check=False)


def main():
    if len(sys.argv) in (4, 5) and sys.argv[1] == "--land-from":
        return land_from(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 1)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    report = Report("lake_s3", "Ceph 16 memstore OSD + RADOS gateway on loopback")
    root = Path(tempfile.mkdtemp(prefix="eventlake-bench-s3-"))
    procs = harness.Procs(root)
    try:
        _, brokers = procs.broker(root / "data")
        harness.create_topic(brokers, "events", 1)
        events = subprocess.run([harness.BIN, "generate", "game-events", "--count", str(n), "--seed", "1"],
                                capture_output=True, check=True).stdout
        harness.kcat(["-P", "-b", brokers, "-t", "events", "-p", "0"], input=events, timeout=600)
        with running_cluster(str(root / "ceph")) as ceph:
            ceph.s3().create_bucket(Bucket="bench")
            env = dict(ceph.env(), AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
            times = {"local": [], "s3": []}
            for rep in range(reps):
                for name, lake, e in [("local", str(root / f"lake{rep}"), None),
                                      ("s3", f"s3://bench/lake{rep}", env)]:
                    t0 = time.monotonic()
                    out = harness.run(["land", "--brokers", brokers, "--lake", lake, "--topic", "events"],
                                      env=e, timeout=600).stdout.strip()
                    times[name].append(time.monotonic() - t0)
                    report.line(f"{name:5s} run {rep}: {times[name][-1]:6.2f} s  {out}")
            local, s3 = statistics.median(times["local"]), statistics.median(times["s3"])
            report.line(f"{n} events: local {local:.2f} s ({n / local:,.0f} events/s), "
                        f"S3 {s3:.2f} s ({n / s3:,.0f} events/s), S3 / local {s3 / local:.2f}x")
            report.write()
    finally:
        procs.kill_all()
        subprocess.run(["rm", "-rf", str(root)], check=False)


if __name__ == "__main__":
    sys.exit(main())
