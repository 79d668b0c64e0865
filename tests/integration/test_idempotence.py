"""Idempotent producers and per-topic retention, judged by real clients: confluent-kafka's
Producer(enable.idempotence=True) gets a producer id and its batches land exactly once in order,
also when the broker restarts under it; topics created with retention configs (AdminClient) lose
their oldest segments and the log start offset moves."""
import glob
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from harness import kcat


def read_values(brokers, topic):
    out = kcat(["-C", "-b", brokers, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-f", "%s\n"],
               timeout=60).stdout.decode()
    return out.splitlines()


def start(procs, data, port, name, extra=()):
    pf = procs.tmp_path / f"{name}.port"
    p = procs.start(["broker", "--data", str(data), "--listen", f"127.0.0.1:{port}",
                     "--port-file", str(pf), *extra], name)
    return p, p.wait_port_file(pf, timeout=30)["main"]


def test_idempotent_producer_exactly_once_across_restart(procs, tmp_path):
    data = tmp_path / "data"
    broker, port = start(procs, data, 0, "b0")
    brokers = f"127.0.0.1:{port}"
    errors = []
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 1, "reconnect.backoff.ms": 50,
                         "reconnect.backoff.max.ms": 200,
                         "error_cb": lambda e: errors.append(e) if e.fatal() else None})
    delivered = []
    cb = lambda err, msg: delivered.append(err is None)
    for i in range(500):
        producer.produce("idem", f"a{i:04d}".encode(), partition=0, on_delivery=cb)
    assert producer.flush(30) == 0
    # A clean restart under a live producer: its next batches continue the sequence.
    assert broker.stop() == 0
    broker, _ = start(procs, data, port, "b1")
    for i in range(500):
        producer.produce("idem", f"b{i:04d}".encode(), partition=0, on_delivery=cb)
        producer.poll(0)
    assert producer.flush(30) == 0
    assert not errors
    assert delivered == [True] * 1000
    expected = [f"a{i:04d}" for i in range(500)] + [f"b{i:04d}" for i in range(500)]
    assert read_values(brokers, "idem") == expected
    assert "producer state rebuilt" in broker.output()


def test_topic_retention_by_bytes_and_time(procs, tmp_path):
    data = tmp_path / "data"
    _, port = start(procs, data, 0, "b0", ["--retention-check-ms", "200"])
    brokers = f"127.0.0.1:{port}"
    admin = AdminClient({"bootstrap.servers": brokers})
    topics = [
        NewTopic("by-bytes", 1, 1, config={"segment.bytes": "2048", "retention.bytes": "8192"}),
        NewTopic("by-time", 1, 1, config={"segment.bytes": "2048", "retention.ms": "60000"}),
        NewTopic("bad-config", 1, 1, config={"retention.ms": "never"}),
    ]
    futures = admin.create_topics(topics, request_timeout=15)
    futures["by-bytes"].result()
    futures["by-time"].result()
    try:
        futures["bad-config"].result()
        raise AssertionError("bad retention.ms accepted")
    except Exception as e:  # KafkaException(INVALID_CONFIG)
        assert "INVALID_CONFIG" in str(e) or "retention.ms" in str(e), e
    assert open(glob.glob(str(data / "by-bytes-0" / "topic.config"))[0]).read().count("retention.bytes=8192")

    producer = Producer({"bootstrap.servers": brokers, "acks": 1, "linger.ms": 0, "batch.num.messages": 1})
    old = int(time.time() * 1000) - 3600 * 1000  # an hour ago: past by-time's retention
    for i in range(400):
        producer.produce("by-bytes", (f"v{i:04d}" + "x" * 90).encode(), partition=0)
        producer.produce("by-time", (f"v{i:04d}" + "x" * 90).encode(), partition=0, timestamp=old)
        producer.poll(0)
    assert producer.flush(30) == 0

    def log_bytes():
        return sum(p.stat().st_size for p in (data / "by-bytes-0").glob("*.log"))

    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "retention-check",
                         "enable.auto.commit": False})
    try:
        # A retention pass that ran while the producer was still writing leaves more than the
        # limit until the next pass (every 200 ms): wait for a pass after the last write.
        deadline = time.monotonic() + 20
        while True:
            low_b, high_b = consumer.get_watermark_offsets(TopicPartition("by-bytes", 0), timeout=5)
            low_t, high_t = consumer.get_watermark_offsets(TopicPartition("by-time", 0), timeout=5)
            settled = low_b > 0 and low_t == high_t and log_bytes() <= 8192 + 2 * 2048 + 200
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        consumer.close()
    assert high_b == 400 and high_t == 400
    assert 0 < low_b < 400, (low_b, high_b)
    assert low_t == 400, (low_t, high_t)  # every batch was an hour old: all gone
    size = log_bytes()
    assert 8192 <= size <= 8192 + 2 * 2048 + 200, size
    values = read_values(brokers, "by-bytes")
    assert values[0].startswith(f"v{low_b:04d}") and values[-1].startswith("v0399")
    assert read_values(brokers, "by-time") == []


def test_topics_create_with_config(procs, tmp_path):
    data = tmp_path / "data"
    _, port = start(procs, data, 0, "b0")
    brokers = f"127.0.0.1:{port}"
    import harness
    harness.run(["topics", "create", "--brokers", brokers, "--topic", "cfg", "--partitions", "2",
                 "--config", "retention.ms=1234", "--config", "segment.bytes=4096"], timeout=30)
    for p in (0, 1):
        text = (data / f"cfg-{p}" / "topic.config").read_text()
        assert "retention.ms=1234\n" in text and "segment.bytes=4096\n" in text
    bad = harness.run(["topics", "create", "--brokers", brokers, "--topic", "cfg2",
                       "--config", "retention.bytes=lots"], timeout=30, check=False)
    assert bad.returncode == 1, bad.stderr
    # A config the broker would not honour is refused (INVALID_CONFIG), not stored and ignored.
    compact = harness.run(["topics", "create", "--brokers", brokers, "--topic", "cfg4",
                           "--config", "cleanup.policy=compact"], timeout=30, check=False)
    assert compact.returncode == 1 and "compaction is not supported" in compact.stderr + compact.stdout, compact
    assert not (data / "cfg4-0").exists()
    usage = harness.run(["topics", "create", "--brokers", brokers, "--topic", "cfg3",
                         "--config", "noequals"], timeout=30, check=False)
    assert usage.returncode != 0
