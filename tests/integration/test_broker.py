"""The broker judged by real clients: kcat (librdkafka), kafka-python, KafkaJS, raw sockets for bad input."""
import glob
import json
import os
import random
import signal
import socket
import struct
import subprocess
import threading
import time

import pytest

import harness
from harness import kcat

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def produce(brokers, topic, lines, *extra):
    data = "".join(l + "\n" for l in lines).encode()
    kcat(["-P", "-b", brokers, "-t", topic, *extra], input=data, timeout=30)


def consume(brokers, topic, *extra, fmt="%s\\n"):
    out = kcat(["-C", "-b", brokers, "-t", topic, "-e", "-f", fmt, *extra], timeout=30).stdout
    return out.decode().splitlines()


def segment_batches(data_dir, topic, partition=0):
    """(base_offset, attributes, record_count) of each batch in the partition's segment files."""
    out = []
    for path in sorted(glob.glob(os.path.join(str(data_dir), f"{topic}-{partition}", "*.log"))):
        data = open(path, "rb").read()
        pos = 0
        while pos + 61 <= len(data):
            base, length = struct.unpack_from(">qi", data, pos)
            attributes = struct.unpack_from(">h", data, pos + 21)[0]
            count = struct.unpack_from(">i", data, pos + 57)[0]
            out.append((base, attributes, count))
            pos += 12 + length
    return out


def test_metadata_lists_broker_and_topics(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    out = kcat(["-L", "-b", brokers], timeout=20).stdout.decode()
    assert f"broker 0 at {brokers}" in out
    assert "(controller)" in out
    produce(brokers, "meta-topic", ["x"])  # auto-created on the producer's Metadata request
    out = kcat(["-L", "-b", brokers, "-t", "meta-topic"], timeout=20).stdout.decode()
    assert 'topic "meta-topic" with 1 partitions' in out
    assert "leader 0" in out


@pytest.mark.parametrize("acks", ["0", "1", "all"])
def test_kcat_produce_every_codec_and_consume(procs, tmp_path, acks):
    data = tmp_path / "data"
    _, brokers = procs.broker(data)
    topic = f"codecs-{acks}"
    sent = []
    for codec in CODECS:
        # long, repetitive lines: librdkafka sends a batch uncompressed when compressing does not
        # shrink it, which short lines in a small batch can cause
        lines = [f"{codec}-{acks}-{i}-" + "z" * (300 + i) for i in range(20)]
        produce(brokers, topic, lines, "-z", codec, "-X", f"acks={acks}")
        sent += lines
    if acks == "0":
        time.sleep(0.5)  # no acknowledgement to wait for
    assert consume(brokers, topic, "-o", "beginning") == sent
    codecs_seen = {attrs & 7 for _, attrs, _ in segment_batches(data, topic)}
    assert codecs_seen == set(CODECS.values()), "each batch is stored with the codec it was sent with"
    offsets = [base for base, _, _ in segment_batches(data, topic)]
    assert offsets == sorted(offsets) and offsets[0] == 0


def test_kcat_offsets_and_query(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    produce(brokers, "offs", [f"m{i}" for i in range(10)])
    assert consume(brokers, "offs", "-o", "beginning") == [f"m{i}" for i in range(10)]
    assert consume(brokers, "offs", "-o", "7") == ["m7", "m8", "m9"]
    assert consume(brokers, "offs", "-o", "-2") == ["m8", "m9"]
    assert consume(brokers, "offs", "-o", "end") == []
    assert consume(brokers, "offs", "-o", "beginning", fmt="%o\\n") == [str(i) for i in range(10)]
    out = kcat(["-Q", "-b", brokers, "-t", "offs:0:-1"], timeout=20).stdout.decode()
    assert "offset 10" in out
    out = kcat(["-Q", "-b", brokers, "-t", "offs:0:-2"], timeout=20).stdout.decode()
    assert "offset 0" in out
    out = kcat(["-Q", "-b", brokers, "-t", "offs:0:0"], timeout=20).stdout.decode()
    assert "offset 0" in out  # every record has a timestamp >= 0


def test_offsets_by_timestamp_point_at_records_inside_a_batch(procs, tmp_path):
    from kafka import KafkaProducer

    _, brokers = procs.broker(tmp_path / "data")
    producer = KafkaProducer(bootstrap_servers=brokers, linger_ms=200)
    base = 1700000000000
    futures = [producer.send("stamped", b"m%d" % i, timestamp_ms=base + i * 1000) for i in range(10)]
    producer.flush()
    assert [f.get(timeout=10).offset for f in futures] == list(range(10))
    producer.close()
    # All ten records share one batch; the answer is the first record at or after the timestamp.
    assert consume(brokers, "stamped", "-o", f"s@{base + 6500}") == ["m7", "m8", "m9"]
    out = kcat(["-Q", "-b", brokers, "-t", f"stamped:0:{base + 3000}"]).stdout.decode()
    assert "offset 3" in out


def test_kafka_python_producer_and_assigned_consumer(procs, tmp_path):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    _, brokers = procs.broker(tmp_path / "data")
    expected = []
    for acks in (0, 1, "all"):
        p = KafkaProducer(bootstrap_servers=brokers, acks=acks)
        for i in range(10):
            value = f"py-{acks}-{i}".encode()
            p.send("pytopic", value, key=b"k")
            expected.append(value)
        p.flush(timeout=20)
        p.close(timeout=20)
    c = KafkaConsumer(bootstrap_servers=brokers, enable_auto_commit=False, consumer_timeout_ms=3000)
    try:
        tp = TopicPartition("pytopic", 0)
        c.assign([tp])
        deadline = time.monotonic() + 10
        while c.end_offsets([tp])[tp] < 30 and time.monotonic() < deadline:
            time.sleep(0.1)  # acks=0 sends are not confirmed
        assert c.end_offsets([tp])[tp] == 30
        assert c.beginning_offsets([tp])[tp] == 0
        c.seek_to_beginning(tp)
        got = [m for m in c]
        assert [m.value for m in got] == expected
        assert [m.offset for m in got] == list(range(30))
        assert all(m.key == b"k" for m in got)
        c.seek(tp, 25)
        assert [m.value for m in c] == expected[25:]
    finally:
        c.close()


def test_kafkajs_admin_producer_and_group_consumer(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    script = os.path.join(os.path.dirname(__file__), "kafkajs_client.js")
    env = dict(os.environ, NODE_PATH=os.path.join(os.path.dirname(__file__), "../../.deps/node/node_modules"))
    cp = subprocess.run(["node", script, brokers, "kjs", "60"], capture_output=True, text=True, timeout=90, env=env)
    assert cp.returncode == 0, cp.stderr
    out = json.loads(cp.stdout.strip().splitlines()[-1])
    assert out["created"] is True and out["partitions"] == 3
    assert all(r["error"] == 0 for r in out["produced"])
    assert sorted(m["i"] for m in out["consumed"]) == list(range(60))
    partitions_of = {}
    for m in out["consumed"]:
        partitions_of.setdefault(m["key"], set()).add(m["partition"])
    assert all(len(ps) == 1 for ps in partitions_of.values())  # one key, one partition
    per_partition = {p: sum(1 for m in out["consumed"] if m["partition"] == p) for p in range(3)}
    # A partition the group never consumed from has no committed offset (-1).
    assert {c["partition"]: c["offset"] for c in out["committed"]} == {
        p: n if n else -1 for p, n in per_partition.items()}
    # librdkafka reads what KafkaJS wrote.
    lines = consume(brokers, "kjs")
    assert sorted(json.loads(l)["i"] for l in lines if l) == list(range(60))


def test_topics_command(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    cp = harness.run(["topics", "create", "--brokers", brokers, "--topic", "admin-t", "--partitions", "3"])
    assert "created topic admin-t" in cp.stdout
    assert "admin-t" in harness.run(["topics", "list", "--brokers", brokers]).stdout.split()
    out = harness.run(["topics", "describe", "--brokers", brokers, "--topic", "admin-t"]).stdout
    assert "topic admin-t partitions 3" in out
    assert "partition 2 leader 0 offsets 0..0" in out
    again = harness.run(["topics", "create", "--brokers", brokers, "--topic", "admin-t"], check=False)
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = harness.run(["topics", "create", "--brokers", brokers, "--topic", "bad/name"], check=False)
    assert bad.returncode == 1
    harness.run(["topics", "delete", "--brokers", brokers, "--topic", "admin-t"])
    assert "admin-t" not in harness.run(["topics", "list", "--brokers", brokers]).stdout.split()
    gone = harness.run(["topics", "delete", "--brokers", brokers, "--topic", "admin-t"], check=False)
    assert gone.returncode == 1
    usage = harness.run(["topics", "frobnicate", "--brokers", brokers], check=False)
    assert usage.returncode == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_restart_keeps_every_record(procs, tmp_path, sig):
    data = tmp_path / "data"
    proc, brokers = procs.broker(data)
    lines = [f"durable-{i}" for i in range(200)]
    for chunk in range(4):
        produce(brokers, "durable", lines[chunk * 50:(chunk + 1) * 50], "-X", "acks=all")
    code = proc.stop(sig)
    if sig == signal.SIGTERM:
        assert code == 0
        assert "broker stopped" in proc.log_path.read_text()
    _, brokers = procs.broker(data, name="broker2")
    assert consume(brokers, "durable", "-o", "beginning") == lines
    produce(brokers, "durable", ["after-restart"])
    assert consume(brokers, "durable", "-o", "-1") == ["after-restart"]


def api_versions_request(version, correlation_id=1):
    body = b""
    if version >= 3:
        body = bytes([6]) + b"probe" + bytes([2]) + b"1" + b"\x00"
    header = struct.pack(">hhih", 18, version, correlation_id, 4) + b"test"
    if version >= 3:
        header += b"\x00"
    msg = header + body
    return struct.pack(">i", len(msg)) + msg


def read_frame(sock):
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    return recv_exact(sock, size)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def connect(brokers):
    host, port = brokers.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    return s


def assert_closed(sock):
    try:
        assert sock.recv(1) == b""
    except ConnectionResetError:
        pass


def test_bad_input_closes_only_that_connection(procs, tmp_path):
    proc, brokers = procs.broker(tmp_path / "data")
    # A frame claiming ~2 GiB: refused before any allocation.
    s = connect(brokers)
    s.sendall(struct.pack(">i", 0x7FFFFFF0) + b"\x00" * 16)
    assert_closed(s)
    s.close()
    # Random garbage, with a sane size.
    rng = random.Random(1234)
    for _ in range(5):
        s = connect(brokers)
        junk = bytes(rng.randrange(256) for _ in range(200))
        s.sendall(struct.pack(">i", len(junk)) + junk)
        assert_closed(s)
        s.close()
    # A truncated Metadata v1 body (topic count says 5, nothing follows).
    s = connect(brokers)
    msg = struct.pack(">hhih", 3, 1, 7, -1) + struct.pack(">i", 5)
    s.sendall(struct.pack(">i", len(msg)) + msg)
    assert_closed(s)
    s.close()
    # The broker still serves a well-behaved client.
    assert "broker 0 at" in kcat(["-L", "-b", brokers], timeout=20).stdout.decode()
    assert proc.popen.poll() is None


def test_api_versions_negotiation(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    s = connect(brokers)
    # v3 (flexible request), pipelined with v0: answers come back in order, header v0 for both.
    s.sendall(api_versions_request(3, 11) + api_versions_request(0, 12))
    v3 = read_frame(s)
    v0 = read_frame(s)
    assert struct.unpack_from(">i", v3)[0] == 11
    assert struct.unpack_from(">h", v3, 4)[0] == 0
    count = v3[6] - 1  # compact array length
    apis = {}
    for i in range(count):
        key, lo, hi = struct.unpack_from(">hhh", v3, 7 + i * 7)
        apis[key] = (lo, hi)
    assert apis[18] == (0, 3)
    assert apis[0] == (0, 7) and apis[1] == (4, 11) and apis[3] == (0, 6)
    assert apis[10][0] == 0  # FindCoordinator v0: librdkafka needs it for groups and LZ4
    assert apis[11] == (0, 5) and apis[14] == (0, 3) and apis[8] == (0, 7)  # consumer groups
    assert struct.unpack_from(">i", v0)[0] == 12
    # A version above ours: UNSUPPORTED_VERSION in the v0 layout, connection kept open.
    s.sendall(api_versions_request(9, 13))
    reply = read_frame(s)
    assert struct.unpack(">ihi", reply[:10]) == (13, 35, 1)
    assert struct.unpack(">hhh", reply[10:16]) == (18, 0, 3)
    s.sendall(api_versions_request(0, 14))
    assert struct.unpack_from(">i", read_frame(s))[0] == 14
    # An API we do not serve (DescribeAcls): the connection is closed.
    msg = struct.pack(">hhih", 29, 1, 15, -1) + b"\x00" * 20
    s.sendall(struct.pack(">i", len(msg)) + msg)
    assert_closed(s)
    s.close()


def fetch_request(topic, offset, max_wait_ms, correlation_id=1):
    t = topic.encode()
    body = struct.pack(">iiiib", -1, max_wait_ms, 1, 1 << 20, 0)
    body += struct.pack(">ih", 1, len(t)) + t + struct.pack(">iiqi", 1, 0, offset, 1 << 20)
    header = struct.pack(">hhih", 1, 4, correlation_id, -1)
    msg = header + body
    return struct.pack(">i", len(msg)) + msg


def test_fetch_long_poll_wakes_on_append(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    produce(brokers, "poll", ["first"])
    s = connect(brokers)
    # Nothing at offset 1 yet: with no append the reply waits for max_wait.
    start = time.monotonic()
    s.sendall(fetch_request("poll", 1, 700))
    reply = read_frame(s)
    waited = time.monotonic() - start
    assert 0.6 <= waited < 5, waited
    assert reply[-4:] == b"\x00\x00\x00\x00"  # empty records: zero-length bytes, not null
    # An append wakes a parked fetch long before its 8 s max_wait.
    timer = threading.Timer(0.5, produce, args=(brokers, "poll", ["second"]))
    timer.start()
    start = time.monotonic()
    s.sendall(fetch_request("poll", 1, 8000, correlation_id=2))
    reply = read_frame(s)
    waited = time.monotonic() - start
    timer.join()
    assert waited < 5, waited
    assert b"second" in reply
    # Above the high watermark: OFFSET_OUT_OF_RANGE at once.
    s.sendall(fetch_request("poll", 50, 5000, correlation_id=3))
    reply = read_frame(s)
    # correlation(4) throttle(4) topics(4) name(2+4) partitions(4) partition(4) error(2)
    assert struct.unpack_from(">h", reply, 4 + 4 + 4 + 6 + 4 + 4)[0] == 1
    s.close()


def test_cli_errors(procs, tmp_path):
    assert harness.run(["broker"], check=False).returncode == 2
    assert harness.run(["broker", "--data", str(tmp_path / "d"), "--listen", "x:notaport"],
                       check=False).returncode == 2
    _, brokers = procs.broker(tmp_path / "data")
    second = harness.run(["broker", "--data", str(tmp_path / "data"), "--listen", "127.0.0.1:0"],
                         check=False, timeout=20)
    assert second.returncode == 1
    assert len([l for l in second.stderr.splitlines() if "error" in l]) == 1
