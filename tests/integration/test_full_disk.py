"""Full disks: a follow lander whose lake fills up keeps running (it reports the error, backs off,
cleans its staging, and lands every event once when space returns); a broker whose log fills up
loses no acknowledged event and resumes; the collector in front of it answers 503 at once. Each
disk is a small tmpfs the test mounts (root, as in CI) and grows afterwards."""
import json
import os
import re
import signal
import subprocess
import time

import harness
from harness import http_request, produce, query, small_filesystem, wait_until


def counts(lake, table):
    row = query(lake, f'SELECT count(*) AS n, count(DISTINCT _offset) AS d FROM "{table}"')[0]
    return int(row["n"]), int(row["d"])


def test_follow_lander_on_a_full_lake_resumes_when_space_returns(brokers, procs, tmp_path):
    # ~4 MB of Parquet: more than the lake's 2 MB filesystem holds.
    events = harness.run(["generate", "game-events", "--count", "60000", "--seed", "9"]).stdout.splitlines()
    produce(brokers, "ev", events)
    with small_filesystem(tmp_path / "fs", "2m") as fs:
        lake = fs / "lake"
        lander = procs.start(["land", "--brokers", brokers, "--lake", str(lake), "--topic", "ev", "--follow",
                              "--flush-ms", "200", "--max-rows", "4000"], "lander")
        wait_until(lambda: "No space left on device" in lander.output() or lander.popen.poll() is not None, 60,
                   "the lake to fill up")
        wait_until(lambda: len(re.findall(r"landing again in", lander.output())) >= 2
                   or lander.popen.poll() is not None, 60, "a second attempt")
        assert lander.popen.poll() is None, lander.output()  # still running, retrying
        subprocess.run(["mount", "-o", "remount,size=256m", str(fs)], check=True)
        wait_until(lambda: (lake / "ev").exists() and counts(lake, "ev")[0] >= 60000, 120, "every event landed")
        assert lander.stop(signal.SIGTERM) == 0, lander.output()
        assert counts(lake, "ev") == (60000, 60000)
        assert harness.staging_left(lake, "ev") == []


def test_broker_on_a_full_disk_loses_no_acknowledged_event_and_resumes(procs, tmp_path):
    from confluent_kafka import Producer
    with small_filesystem(tmp_path / "fs", "3m") as fs:
        _, brokers = procs.broker(fs / "data", extra=["--segment-bytes", "1048576"])
        harness.create_topic(brokers, "full")
        acked, failed = set(), []

        def on_delivery(err, msg):
            (failed.append(err) if err is not None else acked.add(msg.value().decode()))

        producer = Producer({"bootstrap.servers": brokers, "acks": "all", "enable.idempotence": True,
                             "message.timeout.ms": 3000, "linger.ms": 5})

        def send(start, count):
            for i in range(start, start + count):
                producer.produce("full", (f"{i:08d}" + "x" * 1000).encode(), partition=0, on_delivery=on_delivery)
                producer.poll(0)
            producer.flush(30)

        n = 0
        while not failed and n < 20000:  # 3 MB holds fewer than 3000 such records
            send(n, 500)
            n += 500
        assert failed, "the disk never filled up"
        assert len(acked) > 100
        subprocess.run(["mount", "-o", "remount,size=64m", str(fs)], check=True)
        before = len(acked)
        for attempt in range(30):  # produce resumes once space returned (each send waits for its acks)
            send(n + 50 * attempt, 50)
            if len(acked) > before:
                break
        assert len(acked) > before, f"produce did not resume: {failed[-1:]}"
        out = harness.kcat(["-C", "-b", brokers, "-t", "full", "-p", "0", "-o", "beginning", "-e", "-f", "%s\n"],
                           timeout=60).stdout.decode()
        stored = {line for line in out.splitlines() if line}
        missing = acked - stored
        assert not missing, f"{len(missing)} acknowledged records missing, e.g. {sorted(missing)[:2]}"


def test_collector_answers_503_at_once_while_the_broker_refuses_writes(procs, tmp_path):
    """The broker's disk fills up: the collector answers 503 with Retry-After within about its stall
    timeout (1 s), not after its 30 s delivery timeout, and reports itself unavailable. Space comes
    back: the same requests, retried with the same messageIds, are acknowledged, and every
    acknowledged event is on the topic."""
    with small_filesystem(tmp_path / "fs", "3m") as fs:
        _, brokers = procs.broker(fs / "data", extra=["--segment-bytes", "1048576"])
        harness.create_topic(brokers, "events")
        _, url = procs.collector(brokers, extra=["--delivery-timeout-ms", "30000"])

        def batch(n):  # random padding: the producer's lz4 cannot shrink it
            return {"batch": [{"type": "track", "event": "load", "userId": "u1", "messageId": f"m{n}-{i}",
                               "properties": {"pad": os.urandom(450).hex()}} for i in range(100)]}

        acked, n = set(), 0
        while True:  # 3 MB holds fewer than 3000 such events
            started = time.monotonic()
            status, headers, body = http_request(url, "POST", "/v1/batch", batch(n), timeout=60)
            took = time.monotonic() - started
            if status != 200:
                break
            acked.update(f"m{n}-{i}" for i in range(100))
            n += 1
            assert n < 200, "the disk never filled up"
        assert status == 503 and headers.get("retry-after") == "1", (status, headers, body)
        assert took < 10, f"the first refused request took {took:.1f} s"
        started = time.monotonic()
        status, headers, body = http_request(url, "POST", "/v1/batch", batch(n + 1), timeout=60)
        assert status == 503 and time.monotonic() - started < 1, (status, time.monotonic() - started)
        assert b"acknowledged no event" in body, body
        status, _, body = http_request(url, "GET", "/healthz")
        assert status == 503 and b"not acknowledging" in body, body
        metrics = http_request(url, "GET", "/metrics")[2].decode()
        assert "eventlake_collector_broker_acknowledging 0\n" in metrics, metrics

        subprocess.run(["mount", "-o", "remount,size=64m", str(fs)], check=True)
        for m in (n, n + 1):  # the client's retries, same messageIds
            wait_until(lambda: http_request(url, "POST", "/v1/batch", batch(m), timeout=60)[0] == 200, 60,
                       f"request {m} to be acknowledged once space returned")
            acked.update(f"m{m}-{i}" for i in range(100))
        metrics = http_request(url, "GET", "/metrics")[2].decode()
        assert "eventlake_collector_broker_acknowledging 1\n" in metrics, metrics
        stored = {json.loads(v)["event_id"] for v in harness.read_topic(brokers, "events")}
        missing = acked - stored
        assert not missing, f"{len(missing)} acknowledged events missing, e.g. {sorted(missing)[:2]}"
