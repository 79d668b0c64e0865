#!/usr/bin/env python3
"""Captures golden request frames from real clients: starts `eventlake broker` advertising the address of
kafka_record_proxy.py, then drives kcat (librdkafka), confluent-kafka (librdkafka AdminClient) and
kafka-python (several pinned protocol generations) through the proxy. Each first (api, version) frame lands
in OUT_DIR/<api>_v<N>.bin. Existing files are kept unless --overwrite.

Usage (Debian python, which has the clients): /usr/bin/python3 tools/capture_golden.py BUILD/eventlake \
    tests/golden/kafka [--overwrite] [--groups]
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_file(path, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return open(path).read().strip()
        time.sleep(0.05)
    raise RuntimeError(f"timeout waiting for {path}")


def run(args, **kw):
    print("+", " ".join(args), file=sys.stderr)
    return subprocess.run(args, timeout=60, check=False, **kw)


def drive_librdkafka(addr, groups):
    run(["kcat", "-b", addr, "-P", "-t", "golden", "-p", "0"], input=b"a\nb\nc\n")
    run(["kcat", "-b", addr, "-P", "-t", "golden", "-p", "0", "-z", "gzip", "-K:"], input=b"k:v\n")
    run(["kcat", "-b", addr, "-C", "-t", "golden", "-p", "0", "-o", "beginning", "-e", "-q"])
    run(["kcat", "-b", addr, "-C", "-t", "golden", "-p", "0", "-o", "-1", "-c", "1", "-q"])
    run(["kcat", "-b", addr, "-L"])
    # Without ApiVersions, librdkafka picks versions from a fallback broker version.
    for fallback in ("0.10.0", "0.11.0", "1.0.0"):
        old = ["-X", "api.version.request=false", "-X", f"broker.version.fallback={fallback}"]
        run(["kcat", "-b", addr, "-P", "-t", "golden", "-p", "0"] + old, input=b"old\n")
        run(["kcat", "-b", addr, "-C", "-t", "golden", "-p", "0", "-o", "-1", "-c", "1", "-q"] + old)
        run(["kcat", "-b", addr, "-L"] + old)
    import confluent_kafka
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": addr})
    for f in admin.create_topics([NewTopic("golden-admin", 2, 1)]).values():
        f.result(timeout=10)
    for f in admin.delete_topics(["golden-admin"]).values():
        f.result(timeout=10)
    producer = confluent_kafka.Producer({"bootstrap.servers": addr, "enable.idempotence": True})
    producer.produce("golden", b"idempotent", partition=0)
    producer.flush(10)
    if not groups:
        return
    consumer = confluent_kafka.Consumer({"bootstrap.servers": addr, "group.id": "golden-rdk",
                                         "auto.offset.reset": "earliest"})
    consumer.subscribe(["golden"])
    end = time.time() + 8
    got = 0
    while time.time() < end and got < 4:
        m = consumer.poll(0.5)
        if m is not None and not m.error():
            got += 1
    try:
        consumer.commit(asynchronous=False)
    except Exception as e:  # groups may not be served yet
        print("commit:", e, file=sys.stderr)
    consumer.close()


def drive_kafka_python(addr, api_version, groups):
    import kafka
    from kafka.admin import KafkaAdminClient, NewTopic
    kw = {"bootstrap_servers": addr, "request_timeout_ms": 5000}
    if api_version:
        kw["api_version"] = api_version
    try:
        p = kafka.KafkaProducer(**kw)
        p.send("golden", b"from kafka-python", partition=0).get(timeout=10)
        p.close()
    except Exception as e:
        print("producer", api_version, e, file=sys.stderr)
    try:
        c = kafka.KafkaConsumer(consumer_timeout_ms=3000, auto_offset_reset="earliest", **kw)
        tp = kafka.TopicPartition("golden", 0)
        c.assign([tp])
        c.seek_to_end(tp)
        c.position(tp)
        c.seek_to_beginning(tp)
        for _ in c:
            pass
        c.close()
    except Exception as e:
        print("consumer", api_version, e, file=sys.stderr)
    try:
        if not groups:
            raise RuntimeError("group APIs not captured (no --groups)")
        gkw = dict(kw, request_timeout_ms=12000, session_timeout_ms=10000)
        c = kafka.KafkaConsumer("golden", group_id="golden-kp", consumer_timeout_ms=4000,
                                auto_offset_reset="earliest", **gkw)
        for _ in c:
            pass
        c.commit()
        c.close()
    except Exception as e:
        print("group consumer", api_version, e, file=sys.stderr)
    try:
        a = KafkaAdminClient(**kw)
        a.create_topics([NewTopic("golden-kp", 1, 1)])
        a.delete_topics(["golden-kp"])
        a.close()
    except Exception as e:
        print("admin", api_version, e, file=sys.stderr)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, out = sys.argv[1], os.path.abspath(sys.argv[2])
    overwrite = "--overwrite" in sys.argv[3:]
    groups = "--groups" in sys.argv[3:]  # only once the broker serves the group APIs
    with tempfile.TemporaryDirectory() as tmp:
        proxy_port = free_port()
        broker = subprocess.Popen([binary, "broker", "--data", f"{tmp}/data", "--listen", "127.0.0.1:0",
                                   "--advertise", f"127.0.0.1:{proxy_port}", "--port-file", f"{tmp}/port"])
        proxy = None
        try:
            upstream = f"127.0.0.1:{wait_file(f'{tmp}/port')}"
            args = [sys.executable, os.path.join(HERE, "kafka_record_proxy.py"), "--listen",
                    f"127.0.0.1:{proxy_port}", "--upstream", upstream, "--out", out, "--port-file",
                    f"{tmp}/proxy_port"]
            proxy = subprocess.Popen(args + (["--overwrite"] if overwrite else []))
            wait_file(f"{tmp}/proxy_port")
            addr = f"127.0.0.1:{proxy_port}"
            drive_librdkafka(addr, groups)
            for v in [None, (0, 10, 0), (0, 10, 1), (0, 10, 2), (0, 11), (1, 0), (1, 1), (2, 0), (2, 1)]:
                drive_kafka_python(addr, v, groups)
        finally:
            for p in (proxy, broker):
                if p:
                    p.terminate()
                    p.wait(10)


if __name__ == "__main__":
    main()
