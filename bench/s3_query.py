"""What reading a lake on S3 costs `eventlake query`: first query (listing, progress records,
downloads into the cache) against the same query answered from the cache, and a query whose Hive
filters prune the download. Run by hand: a broker, `eventlake land` into a local folder, a Ceph RADOS
gateway on loopback (tests/integration/ceph_cluster.py), the lake uploaded key for path with boto3.
Appends what it prints to bench/results/s3_query-<UTC date>.txt.

    /usr/bin/python3 bench/s3_query.py [path/to/eventlake] [EVENTS]     (default 200000 events)
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
if len(sys.argv) > 1:
    os.environ["EVENTLAKE_BIN"] = os.path.abspath(sys.argv[1])
EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 200000

import harness  # noqa: E402
from bench_report import Report  # noqa: E402
from ceph_cluster import CephCluster  # noqa: E402
from s3_lake import upload_lake  # noqa: E402


def timed(args, env):
    t0 = time.monotonic()
    cp = harness.run(args, env=env, timeout=1800)
    return time.monotonic() - t0, cp


def main():
    report = Report("s3_query", "Ceph 16 memstore OSD + RADOS gateway on loopback")
    with tempfile.TemporaryDirectory(prefix="s3bench-") as tmp:
        procs = harness.Procs(pathlib.Path(tmp))
        ceph = CephCluster(pathlib.Path(tmp) / "ceph")
        try:
            _, brokers = procs.broker(os.path.join(tmp, "data"))
            topic = "events"
            gen = subprocess.run([harness.BIN, "generate", "game-events", "--count", str(EVENTS), "--seed", "7"],
                                 capture_output=True, check=True)
            harness.kcat(["-P", "-b", brokers, "-t", topic], input=gen.stdout, timeout=600)
            lake = os.path.join(tmp, "lake")
            land_s, _ = timed(["land", "--brokers", brokers, "--lake", lake, "--topic", topic,
                               "--partition-by", "dt,hour", "--event-time-field", "received_at"], None)
            ceph.start()
            s3 = ceph.s3()
            s3.create_bucket(Bucket="bench")
            keys = upload_lake(s3, "bench", "lake", lake)
            size = sum(os.path.getsize(os.path.join(lake, k)) for k in keys)
            files = sum(1 for k in keys if k.endswith(".parquet"))
            env = dict(ceph.env(), AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
            cache = os.path.join(tmp, "cache")
            url = "s3://bench/lake"
            report.line(f"lake: {EVENTS} events, {files} Parquet files, {size / 1e6:.1f} MB; land {land_s:.1f} s")
            whole = f'SELECT event_type, count(*), count(DISTINCT user_id) FROM "{topic}" GROUP BY 1 ORDER BY 1'
            dts = harness.run(["query", "--lake", lake, "--format", "csv",
                               f'SELECT DISTINCT dt FROM "{topic}" ORDER BY 1 LIMIT 1'], timeout=600).stdout.split()
            pruned = f"SELECT count(*) FROM \"{topic}\" WHERE event_type = 'purchase_sword' AND dt = '{dts[1]}'"
            local_s, local = timed(["query", "--lake", lake, "--format", "csv", whole], None)
            report.line(f"local lake, whole table: {local_s:.2f} s")
            for name, sql in [("whole table", whole), ("whole table again (cached)", whole),
                              ("pruned: one event type, one dt (cached)", pruned)]:
                secs, cp = timed(["query", "--lake", url, "--cache-dir", cache, "--format", "csv",
                                  "--fetch-report", sql], env)
                assert name != "whole table" or cp.stdout == local.stdout
                report.line(f"s3, {name}: {secs:.2f} s  [{cp.stderr.strip()}]")
            secs, cp = timed(["query", "--lake", url, "--cache-dir", os.path.join(tmp, "cache2"), "--format",
                              "csv", "--fetch-report", pruned], env)
            report.line(f"s3, pruned, empty cache: {secs:.2f} s  [{cp.stderr.strip()}]")
            report.write()
        finally:
            ceph.stop()
            procs.kill_all()


if __name__ == "__main__":
    main()
