"""Operations of split deployments: the admin listener of standalone `broker` and `land` processes
(/healthz going red and green, /metrics checked against what happened, read with the Prometheus
client's parser), `eventlake status` against a running `up`, and the log directory's format
version."""
import json
import re
import shutil
import subprocess
import uuid

import harness
from harness import http_request, produce, sample, scrape, small_filesystem, wait_until


def admin_url(proc, port_file):
    return f"http://127.0.0.1:{proc.wait_port_file(port_file)['main']}"


def health(url):
    status, _, body = http_request(url, "GET", "/healthz")
    return status, json.loads(body)


def start_broker(procs, tmp_path, data, extra=()):
    pf = tmp_path / "broker-admin.port"
    broker, brokers = procs.broker(data, extra=["--admin", "127.0.0.1:0", "--admin-port-file", str(pf), *extra])
    return broker, brokers, admin_url(broker, pf)


def test_broker_admin_metrics_match_what_clients_did(procs, tmp_path):
    from confluent_kafka import Consumer, Producer, TopicPartition
    _, brokers, url = start_broker(procs, tmp_path, tmp_path / "data")
    assert health(url) == (200, {"status": "ok", "components": {"broker": "ok"}})
    harness.create_topic(brokers, "t", partitions=2)
    producer = Producer({"bootstrap.servers": brokers, "acks": "all", "linger.ms": 0})
    for i in range(7):
        producer.produce("t", f"v{i}".encode(), partition=i % 2)
        producer.flush(10)  # one acks=all Produce (and one fdatasync) per record
    group = f"g-{uuid.uuid4().hex[:6]}"
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": False})
    consumer.commit(offsets=[TopicPartition("t", 0, 3), TopicPartition("t", 1, 1)], asynchronous=False)

    m = scrape(url)
    assert sample(m, "eventlake_broker_records_in_total", topic="t") == 7
    assert sample(m, "eventlake_broker_high_watermark", topic="t", partition="0") == 4
    assert sample(m, "eventlake_broker_high_watermark", topic="t", partition="1") == 3
    produces = sample(m, "eventlake_broker_requests_total", api="Produce")
    assert produces >= 7
    # The latency histogram counts every answered request, in cumulative buckets.
    assert sample(m, "eventlake_broker_request_duration_seconds_count", api="Produce") == produces
    assert sample(m, "eventlake_broker_request_duration_seconds_bucket", api="Produce", le="+Inf") == produces
    assert sample(m, "eventlake_broker_request_duration_seconds_sum", api="Produce") > 0
    buckets = sorted((float(dict(k[1])["le"]), v) for k, v in m.items()
                     if k[0] == "eventlake_broker_request_duration_seconds_bucket" and dict(k[1])["api"] == "Produce")
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    # Each acks=all append waited for an fdatasync: at least one per record, each timed.
    flushes = sample(m, "eventlake_broker_log_flushes_total")
    assert flushes >= 7
    assert sample(m, "eventlake_broker_fsync_duration_seconds_count") == flushes
    assert sample(m, "eventlake_broker_fsync_duration_seconds_sum") > 0
    # The group committed 3 of 4 and 1 of 3: lag 1 and 2; it has no member.
    assert sample(m, "eventlake_broker_group_committed_offset", group=group, topic="t", partition="0") == 3
    assert sample(m, "eventlake_broker_group_lag_records", group=group, topic="t", partition="0") == 1
    assert sample(m, "eventlake_broker_group_lag_records", group=group, topic="t", partition="1") == 2
    assert sample(m, "eventlake_broker_group_members", group=group) == 0

    consumer.subscribe(["t"])
    wait_until(lambda: consumer.poll(0.2) is not None or consumer.assignment(), 30, "the consumer to join")
    wait_until(lambda: sample(scrape(url), "eventlake_broker_group_members", group=group) == 1, 30, "one member")
    m = scrape(url)
    assert sample(m, "eventlake_broker_groups", state="Stable") >= 1
    consumer.close()
    wait_until(lambda: sample(scrape(url), "eventlake_broker_group_members", group=group) == 0, 30, "no member")


def test_broker_admin_health_goes_red_on_a_full_disk_and_green_again(procs, tmp_path):
    from confluent_kafka import Producer
    with small_filesystem(tmp_path / "fs", "2m") as fs:
        _, brokers, url = start_broker(procs, tmp_path, fs / "data", extra=["--segment-bytes", "1048576"])
        harness.create_topic(brokers, "full")
        errors = []
        producer = Producer({"bootstrap.servers": brokers, "acks": "all", "message.timeout.ms": 3000,
                             "linger.ms": 5})
        for i in range(5000):  # 2 MB holds fewer than 2000 such records
            producer.produce("full", b"x" * 1000, on_delivery=lambda err, _: err and errors.append(err))
            producer.poll(0)
            if i % 200 == 199:
                producer.flush(30)
                if errors:
                    break
        assert errors, "the disk never filled up"
        status, body = health(url)
        assert status == 503 and body["status"] == "unavailable", body
        assert body["components"]["broker"].startswith("the log refuses writes"), body
        m = scrape(url)
        assert sample(m, "eventlake_broker_writable") == 0
        assert sample(m, "eventlake_broker_write_errors_total") >= 1

        subprocess.run(["mount", "-o", "remount,size=64m", str(fs)], check=True)
        ok = []
        wait_until(lambda: (producer.produce("full", b"y", on_delivery=lambda err, _: err or ok.append(1)),
                            producer.flush(5), ok)[2], 60, "an acknowledged append once space returned")
        assert health(url) == (200, {"status": "ok", "components": {"broker": "ok"}})
        assert sample(scrape(url), "eventlake_broker_writable") == 1


def test_lander_admin_health_and_metrics(procs, brokers, tmp_path):
    harness.create_topic(brokers, "ev")
    lake = tmp_path / "lake"
    pf = tmp_path / "land-admin.port"
    lander = procs.start(["land", "--brokers", brokers, "--lake", str(lake), "--topic", "ev", "--follow",
                          "--flush-ms", "50", "--admin", "127.0.0.1:0", "--admin-port-file", str(pf)], "lander")
    url = admin_url(lander, pf)
    produce(brokers, "ev", [{"event_type": "a", "n": i} for i in range(5)])
    wait_until(lambda: sample(scrape(url), "eventlake_lander_events_total", topic="ev") == 5, 30, "5 events landed")
    m = scrape(url)
    assert sample(m, "eventlake_lander_lag_records", topic="ev", partition="0") == 0
    assert sample(m, "eventlake_lander_landing", topic="ev") == 1
    assert sample(m, "eventlake_lander_files_total", topic="ev") >= 1  # each event once, in type a's folder
    on_disk = sum(f.stat().st_size for f in lake.rglob("*.parquet"))
    assert sample(m, "eventlake_lander_bytes_total", topic="ev") == on_disk > 0
    assert health(url) == (200, {"status": "ok", "components": {"lander": "ok"}})

    # A file where the lake's folder should be: landing fails, /healthz says so.
    shutil.rmtree(lake)
    lake.write_text("not a folder")
    produce(brokers, "ev", [{"event_type": "a", "n": 5}])
    wait_until(lambda: health(url)[0] == 503, 30, "/healthz to report the lander")
    assert health(url)[1]["components"]["lander"].startswith("not landing: "), health(url)
    assert sample(scrape(url), "eventlake_lander_landing", topic="ev") == 0
    lake.unlink()
    wait_until(lambda: health(url)[0] == 200, 60, "/healthz green again")
    assert lander.popen.poll() is None


def test_admin_flags_are_checked(brokers, tmp_path):
    cases = [
        (["broker", "--data", str(tmp_path / "d"), "--admin-port-file", str(tmp_path / "p")], "--admin-port-file"),
        (["broker", "--data", str(tmp_path / "d"), "--admin", "127.0.0.1:notaport"], "--admin"),
        (["land", "--brokers", brokers, "--lake", str(tmp_path / "l"), "--topic", "x", "--admin", "127.0.0.1:0"],
         "--follow"),
        (["land", "--brokers", brokers, "--lake", str(tmp_path / "l"), "--topic", "x", "--follow",
          "--max-lag-s", "5"], "--admin"),
    ]
    for args, named in cases:
        cp = harness.run(args, check=False, timeout=30)
        assert cp.returncode == 2, (args, cp.returncode, cp.stderr)
        assert named in cp.stderr, (args, cp.stderr)


def test_status_shows_a_running_up(procs, tmp_path):
    data = tmp_path / "data"
    _, kafka, url = procs.up(data, extra=["--flush-ms", "50"])
    for i in range(4):
        assert http_request(url, "GET", f"/purchase_a_sword?n={i}")[0] == 200
    wait_until(lambda: sample(scrape(url), "eventlake_lander_events_total", topic="events") == 4, 30, "landed")
    cp = harness.run(["status", "--brokers", kafka, "--admin", url, "--lake", str(data / "lake"),
                      "--data", str(data / "log")], check=False, timeout=60)
    out = cp.stdout
    assert cp.returncode == 0, (cp.returncode, out, cp.stderr)
    assert re.search(rf"^  {re.escape(url)} +ok +collector: ok, broker: ok, lander: ok$", out, re.M), out
    row = re.search(r"^  events +1 +4 +(\S+ \S+)$", out, re.M)  # topic, partitions, messages, bytes
    assert row and row.group(1) != "-", out
    assert re.search(r"^  eventlake-land-events-\S+ +(Stable|Empty|CompletingRebalance|PreparingRebalance) +\d+ +"
                     r"events +0$", out, re.M), out
    assert re.search(r"^  newest event \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s ago\)$", out, re.M), out
    assert re.search(r"^  events +(last landed \d+ s ago), the lake is 0\.0 s behind the log$", out, re.M), out
    assert re.search(r"^  log +\S+/log +\S+ \S+ used, \S+ \S+ free$", out, re.M), out
    assert re.search(r"^  lake +\S+/lake +\S+ \S+ used, \S+ \S+ free$", out, re.M), out

    # A process that does not answer: said so, and the exit code is 1.
    cp = harness.run(["status", "--admin", "http://127.0.0.1:9"], check=False, timeout=60)
    assert cp.returncode == 1 and re.search(r"127\.0\.0\.1:9 +unreachable", cp.stdout), cp.stdout
    cp = harness.run(["status"], check=False)
    assert cp.returncode == 2 and "--brokers" in cp.stderr


def test_a_log_directory_of_a_newer_format_is_refused(procs, tmp_path):
    data = tmp_path / "data"
    broker, brokers = procs.broker(data)
    harness.create_topic(brokers, "kept")
    assert broker.stop() == 0
    assert (data / "FORMAT").read_text() == "eventlake-log-format 1\n"
    (data / "FORMAT").write_text("eventlake-log-format 2\n")
    cp = harness.run(["broker", "--data", str(data), "--listen", "127.0.0.1:0"], check=False, timeout=30)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    assert "log format version 2" in cp.stderr and "newer" in cp.stderr, cp.stderr
    assert (data / "kept-0").is_dir() and (data / ".clean_shutdown").exists()  # left as it was
    # A directory from before format versions (no FORMAT file) is version 1: read as it is.
    (data / "FORMAT").unlink()
    broker, brokers = procs.broker(data, name="again")
    assert "kept" in harness.kcat(["-L", "-b", brokers]).stdout.decode()
    assert (data / "FORMAT").read_text() == "eventlake-log-format 1\n"
    broker.stop()
    # `up` refuses it the same way.
    up_data = tmp_path / "up"
    (up_data / "log").mkdir(parents=True)
    (up_data / "log" / "FORMAT").write_text("eventlake-log-format 7\n")
    cp = harness.run(["up", "--data", str(up_data), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0"],
                     check=False, timeout=30)
    assert cp.returncode == 2 and "log format version 7" in cp.stderr, (cp.returncode, cp.stderr)


def test_topics_describe_shows_configs_and_sizes(procs, tmp_path):
    data = tmp_path / "data"
    _, brokers, url = start_broker(procs, tmp_path, data, extra=["--retention-ms", "3600000"])
    harness.run(["topics", "create", "--brokers", brokers, "--topic", "cfg", "--partitions", "2",
                 "--config", "segment.bytes=1048576", "--config", "cleanup.policy=delete"])
    produce(brokers, "cfg", ["a", "bb", "ccc"], partition=1)
    out = harness.run(["topics", "describe", "--brokers", brokers, "--topic", "cfg", "--admin", url]).stdout
    assert "topic cfg partitions 2\n" in out, out
    assert "  partition 0 leader 0 offsets 0..0 bytes 0\n" in out, out
    size = int(re.search(r"^  partition 1 leader 0 offsets 0\.\.3 bytes (\d+)$", out, re.M).group(1))
    assert size == sum(f.stat().st_size for f in (data / "cfg-1").glob("*.log")) and size > 0, out
    configs = re.findall(r"^  config (\S+?)=(\S*)(.*)$", out, re.M)
    assert configs == [
        ("cleanup.policy", "delete", " (read-only)"),  # set on the topic
        ("compression.type", "producer", " (default) (read-only)"),
        ("message.timestamp.type", "CreateTime", " (default) (read-only)"),
        ("min.insync.replicas", "1", " (default) (read-only)"),
        ("retention.bytes", "-1", " (default)"),
        ("retention.ms", "3600000", " (default)"),  # the broker's --retention-ms
        ("segment.bytes", "1048576", ""),
        ("segment.ms", "604800000", " (default)"),
    ], out
    # Without --admin the sizes are left out; every topic is described without --topic.
    out = harness.run(["topics", "describe", "--brokers", brokers]).stdout
    assert "  partition 1 leader 0 offsets 0..3\n" in out and "config segment.bytes=1048576\n" in out, out
    assert harness.run(["topics", "list", "--brokers", brokers, "--admin", url], check=False).returncode == 2

    # Another client reads the same answer (DescribeConfigs v1 through confluent-kafka).
    from confluent_kafka.admin import AdminClient, ConfigResource
    client = AdminClient({"bootstrap.servers": brokers})  # kept alive until its answers arrive
    futures = client.describe_configs([ConfigResource("topic", "cfg")])
    entries = list(futures.values())[0].result(10)
    assert entries["segment.bytes"].value == "1048576" and not entries["segment.bytes"].is_default
    assert entries["retention.ms"].value == "3600000" and entries["retention.ms"].is_default
    assert entries["cleanup.policy"].is_read_only
    missing = client.describe_configs([ConfigResource("topic", "nope")])
    try:
        list(missing.values())[0].result(10)
        raise AssertionError("an unknown topic was described")
    except Exception as e:  # noqa: BLE001 - KafkaException carrying UNKNOWN_TOPIC_OR_PART
        assert "UNKNOWN_TOPIC" in str(e) or "nknown topic" in str(e), e
