"""The collector as a Segment-compatible tracking API, against the real binary and broker: /v1/*
calls and their field rules, limits, enrichment, messageId de-duplication, routing and keys, write
keys, CORS, /healthz, /metrics, timeouts and draining on SIGTERM."""
import base64
import gzip
import http.client
import json
import os
import socket
import subprocess
import threading
import time

import pytest

import harness
from harness import http_request as request


def consume(brokers, topic, expected, timeout=30):
    """(partition, key, event) of every record of `topic`, once at least `expected` are there."""
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        cp = harness.kcat(["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q",
                           "-f", "%p\t%k\t%s\n"], check=False)
        rows = []
        for line in cp.stdout.decode().splitlines():
            if line.strip():
                p, k, v = line.split("\t", 2)
                rows.append((int(p), k, json.loads(v)))
        if len(rows) >= expected:
            return rows
        time.sleep(0.3)
    raise AssertionError(f"expected {expected} records on {topic}, got {len(rows)}")


@pytest.fixture
def refused_addr():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{s.getsockname()[1]}"
    s.close()


def test_segment_calls_land_with_enrichment_and_keys(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data", extra=["--partitions", "4"])
    collector, url = procs.collector(brokers)
    ua = {"User-Agent": "analytics-python/2", "Cache-Control": "no-cache", "Content-Type": "application/json",
          "Referer": "https://game.example/shop", "Accept-Language": "de"}
    calls = [
        ("/v1/track", {"userId": "u1", "event": "Sword Bought", "properties": {"color": "red"},
                       "messageId": "m-track", "timestamp": "2026-11-21T10:00:00Z"}),
        ("/v1/identify", {"userId": "u1", "traits": {"plan": "gold"}}),
        ("/v1/page", {"anonymousId": "a9", "name": "Shop", "properties": {"path": "/shop"}}),
        ("/v1/screen", {"userId": "u2", "name": "Inventory"}),
        ("/v1/group", {"userId": "u2", "groupId": "guild-7", "traits": {"name": "Owls"}}),
        ("/v1/alias", {"userId": "u3", "previousId": "a9"}),
        ("/v1/batch", {"batch": [{"type": "track", "userId": "u1", "event": "Level Up"},
                                 {"type": "track", "anonymousId": "a9", "event": "Level Up"},
                                 {"type": "identify", "userId": "u1"}],
                       "context": {"library": {"name": "test"}}}),
    ]
    for path, body in calls:
        status, headers, data = request(url, "POST", path, body, ua)
        assert (status, json.loads(data)) == (200, {"success": True}), (path, data)
    rows = consume(brokers, "events", 9)
    assert len(rows) == 9
    by_type = {}
    for p, k, e in rows:
        by_type.setdefault(e["event_type"], []).append((p, k, e))
        assert e["User-Agent"] == "analytics-python/2" and e["Referer"] == "https://game.example/shop"
        assert e["Accept-Language"] == "de" and "Host" in e
        assert "Cache-Control" not in e  # not in the default header allow-list
        assert e["client_ip"] == "127.0.0.1"
        assert e["received_at"].endswith("Z")
        assert k == str(e.get("userId") or e.get("anonymousId"))
    assert set(by_type) == {"Sword Bought", "identify", "page", "screen", "group", "alias", "Level Up"}
    (_, _, track), = by_type["Sword Bought"]
    assert track["type"] == "track" and track["properties"] == {"color": "red"}
    assert track["event_id"] == "m-track" and track["timestamp"] == "2026-11-21T10:00:00Z"
    assert by_type["alias"][0][2]["previousId"] == "a9"
    assert all(e["context"] == {"library": {"name": "test"}} for _, _, e in by_type["Level Up"])
    # One key, one partition: the order of one user's events is kept.
    partitions = {}
    for p, k, _ in rows:
        partitions.setdefault(k, set()).add(p)
    assert all(len(ps) == 1 for ps in partitions.values()), partitions
    assert collector.stop() == 0


def test_field_rules_limits_and_unknown_routes(procs, refused_addr):
    _, url = procs.collector(refused_addr)
    cases = [
        ("/v1/track", {"userId": "u"}, 400, "missing required field \"event\""),
        ("/v1/track", {"event": "x"}, 400, "\"userId\" or \"anonymousId\""),
        ("/v1/group", {"userId": "u"}, 400, "groupId"),
        ("/v1/alias", {"userId": "u"}, 400, "previousId"),
        ("/v1/identify", {"userId": "u", "traits": "no"}, 400, "\"traits\" must be an object"),
        ("/v1/batch", {"batch": [{"type": "nope", "userId": "u"}]}, 400, "batch[0]: unknown type"),
        ("/v1/page", b'{"userId":', 400, "malformed JSON"),
        ("/v1/batch", {"batch": [{"type": "page", "userId": "u"}] * 2501}, 400, "too many events"),
        ("/v1/track", {"userId": "u", "event": "e", "properties": {"pad": "x" * 33000}}, 413, "32768"),
        ("/events", [{"pad": "x" * 33000}], 413, "32768"),
    ]
    for path, body, code, needle in cases:
        status, headers, data = request(url, "POST", path, body)
        assert status == code, (path, status, data[:200])
        assert headers["content-type"] == "application/json"
        assert needle in json.loads(data)["error"], (needle, data[:300])
    big = {"batch": [{"type": "track", "userId": "u", "event": "e", "properties": {"pad": "x" * 20000}}] * 26}
    status, _, data = request(url, "POST", "/v1/batch", big)
    assert status == 413 and "error" in json.loads(data)
    for method, path in [("GET", "/v2/track"), ("POST", "/v1/unknown"), ("GET", "/a/b/c")]:
        status, _, data = request(url, method, path)
        assert status == 404 and "error" in json.loads(data)
    status, headers, _ = request(url, "GET", "/v1/track")
    assert status == 405 and "POST" in headers["allow"]


def test_duplicate_message_ids_are_logged_once(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    _, url = procs.collector(brokers)
    call = {"userId": "u", "event": "Retry", "messageId": "dup-1"}
    for _ in range(3):
        assert request(url, "POST", "/v1/track", call)[0] == 200
    batch = {"batch": [dict(call, type="track"), dict(call, type="track", messageId="dup-2"),
                       dict(call, type="track", messageId="dup-2")]}
    assert request(url, "POST", "/v1/batch", batch)[0] == 200
    assert request(url, "POST", "/v1/track", {"userId": "u", "event": "End", "messageId": "end"})[0] == 200
    rows = consume(brokers, "events", 3)
    time.sleep(0.5)
    rows = consume(brokers, "events", 3)
    assert sorted(e["event_id"] for _, _, e in rows) == ["dup-1", "dup-2", "end"]
    status, _, data = request(url, "GET", "/metrics")
    assert "eventlake_collector_duplicate_events_total 4" in data.decode()


def test_topic_per_event_type(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    _, url = procs.collector(brokers, extra=["--topic-per-type"])
    assert request(url, "POST", "/v1/track", {"userId": "u", "event": "Sword Bought"})[0] == 200
    assert request(url, "GET", "/purchase_a_sword")[0] == 200
    assert request(url, "POST", "/v1/identify", {"userId": "u"})[0] == 200
    (_, k, e), = consume(brokers, "events.Sword_Bought", 1)
    assert e["event"] == "Sword Bought" and k == "u"
    assert consume(brokers, "events.purchase_sword", 1)[0][2]["event_type"] == "purchase_sword"
    assert consume(brokers, "events.identify", 1)[0][2]["type"] == "identify"


def test_client_ip_from_x_forwarded_for_only_behind_a_trusted_proxy(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    _, trusting = procs.collector(brokers, name="trusting", extra=["--trusted-proxy", "127.0.0.0/8",
                                                                  "--trusted-proxy", "10.1.2.3"])
    _, plain = procs.collector(brokers, name="plain")
    chain = {"X-Forwarded-For": "198.51.100.9, 203.0.113.7, 10.1.2.3"}
    assert request(trusting, "GET", "/purchase_a_sword?via=trusting", headers=chain)[0] == 200
    assert request(plain, "GET", "/purchase_a_sword?via=plain", headers=chain)[0] == 200
    rows = consume(brokers, "events", 2)
    ips = {e["via"]: e["client_ip"] for _, _, e in rows}
    assert ips == {"trusting": "203.0.113.7", "plain": "127.0.0.1"}  # right-most untrusted hop
    assert procs.start(["collect", "--brokers", brokers, "--trusted-proxy", "not-a-cidr"],
                       "bad").popen.wait(15) != 0


def test_write_keys_cors_ip_truncation_and_all_headers(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    _, url = procs.collector(brokers, extra=["--write-key", "k1", "--write-key", "k2", "--truncate-ip",
                                             "--allow-headers", "*"])
    call = {"userId": "u", "event": "Auth"}
    basic = lambda key: {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    status, headers, data = request(url, "POST", "/v1/track", call)
    assert status == 401 and headers["www-authenticate"].startswith("Basic")
    assert "write key" in json.loads(data)["error"]
    assert request(url, "POST", "/v1/track", call, basic("wrong"))[0] == 401
    assert request(url, "GET", "/purchase_a_sword")[0] == 401
    assert request(url, "POST", "/events", {"a": 1})[0] == 401
    assert request(url, "POST", "/v1/track", call, dict(basic("k2"), **{"X-Trace": "t1"}))[0] == 200
    assert request(url, "POST", "/v1/track", dict(call, writeKey="k1"))[0] == 200  # analytics.js style
    assert request(url, "GET", "/healthz")[0] == 200  # operations need no key
    status, headers, _ = request(url, "OPTIONS", "/v1/track", headers={
        "Origin": "https://game.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert status == 204
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-headers"] == "content-type, authorization"
    status, headers, _ = request(url, "POST", "/v1/track", call, dict(basic("k1"), Origin="https://x.example"))
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    rows = consume(brokers, "events", 3)
    assert len(rows) == 3
    assert all(e["client_ip"] == "127.0.0.0" for _, _, e in rows)
    assert rows[0][2]["X-Trace"] == "t1"
    assert all("writeKey" not in e and "Authorization" not in e for _, _, e in rows)


def test_gzip_bodies_are_inflated_and_bad_encodings_answered(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    _, url = procs.collector(brokers)
    gz = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    batch = {"batch": [{"type": "track", "userId": f"u{i}", "event": "Zipped", "properties": {"i": i}}
                       for i in range(50)]}
    status, _, data = request(url, "POST", "/v1/batch", gzip.compress(json.dumps(batch).encode()), gz)
    assert (status, json.loads(data)) == (200, {"success": True}), data
    body = gzip.compress(json.dumps([{"event_type": "raw", "n": 1}, {"event_type": "raw", "n": 2}]).encode())
    status, _, data = request(url, "POST", "/events", body, dict(gz, **{"Content-Encoding": "x-gzip"}))
    assert (status, json.loads(data)) == (200, {"accepted": 2}), data
    rows = consume(brokers, "events", 52)
    assert sorted(e["properties"]["i"] for _, _, e in rows if e.get("event") == "Zipped") == list(range(50))
    assert sorted(e["n"] for _, _, e in rows if e.get("event_type") == "raw") == [1, 2]

    status, _, data = request(url, "POST", "/v1/track", gzip.compress(b'{"userId":"u"')[:-6], gz)
    assert status == 400 and "gzip" in json.loads(data)["error"], data
    status, _, data = request(url, "POST", "/v1/track", b'{"userId":"u","event":"e"}',
                              dict(gz, **{"Content-Encoding": "br"}))
    assert status == 415 and "Content-Encoding" in json.loads(data)["error"], data
    bomb = gzip.compress(b"[" + b" " * (20 << 20) + b"]")  # 20 MB inflated, ~20 KB sent
    status, _, data = request(url, "POST", "/v1/batch", bomb, gz)
    assert status == 413 and "inflated" in json.loads(data)["error"], data
    assert request(url, "GET", "/purchase_a_sword")[0] == 200  # still serving
    time.sleep(0.3)
    assert len(consume(brokers, "events", 53)) == 53


SEGMENT_SDK_SCRIPT = os.path.join(os.path.dirname(__file__), "segment_sdk.js")
NODE_MODULES = os.path.join(os.path.dirname(__file__), "../../.deps/node/node_modules")


def run_segment_sdk(url, write_key):
    """Runs segment_sdk.js (Segment's own Node.js SDK) against `url`; returns its JSON summary."""
    env = dict(os.environ, NODE_PATH=NODE_MODULES)
    cp = subprocess.run(["node", SEGMENT_SDK_SCRIPT, url, write_key], capture_output=True, text=True,
                        timeout=60, env=env)
    assert cp.returncode == 0, cp.stderr
    return json.loads(cp.stdout.strip().splitlines()[-1])


def test_segment_node_sdk_delivers_every_call_once(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data", extra=["--partitions", "4"])
    collector, url = procs.collector(brokers, extra=["--write-key", "k1"])
    result = run_segment_sdk(url, "k1")
    assert result["errors"] == [] and result["requests"] >= 2, result
    # Eight calls, one messageId sent twice: seven records, the repeat accepted but not produced.
    rows = consume(brokers, "events", 7)
    time.sleep(0.5)
    rows = consume(brokers, "events", 7)
    assert len(rows) == 7, [e for _, _, e in rows]
    by_type = {}
    for partition, key, e in rows:
        by_type.setdefault(e["type"], []).append(e)
        assert key == (e.get("userId") or e["anonymousId"])
        assert e["event_id"] == e["messageId"]
        assert e["context"]["library"]["name"] == "@segment/analytics-node"
        assert e["User-Agent"].startswith("analytics-node")
        assert e["client_ip"] == "127.0.0.1" and "received_at" in e
        assert "Authorization" not in e and "writeKey" not in e
    assert sorted(by_type) == ["alias", "group", "identify", "page", "screen", "track"]
    assert by_type["identify"][0]["traits"] == {"name": "Ada", "plan": "pro"}
    assert by_type["alias"][0]["previousId"] == "u1"
    assert by_type["group"][0]["groupId"] == "g1"
    tracks = {e["event"]: e for e in by_type["track"]}
    assert tracks["Sword Purchased"]["properties"] == {"color": "red", "price": 9.5}
    assert tracks["Sword Purchased"]["event_type"] == "Sword Purchased"
    level_up = tracks["Level Up"]
    assert level_up["messageId"] == "level-up-1"
    assert level_up["timestamp"] == "2026-01-02T03:04:05.000Z"
    assert level_up["properties"]["items"] == [{"name": "katana", "qty": 1}]
    partitions = {key: {p for p, k, _ in rows if k == key} for _, key, _ in rows}
    assert all(len(ps) == 1 for ps in partitions.values()), partitions  # one user, one partition
    assert "duplicate messageIds accepted" in collector.output()

    # A wrong write key: the SDK reports the 401 as a delivery failure, and nothing is produced.
    result = run_segment_sdk(url, "wrong")
    assert result["errors"] and all("401" in e for e in result["errors"]), result
    time.sleep(0.5)
    assert len(consume(brokers, "events", 7)) == 7


def batch_codecs(partition_dir):
    """The codec (attributes & 7) of every record batch in a partition's segment files."""
    codecs = []
    for log in sorted(partition_dir.glob("*.log")):
        data = log.read_bytes()
        pos = 0
        while pos + 23 <= len(data):
            length = int.from_bytes(data[pos + 8:pos + 12], "big")
            codecs.append(int.from_bytes(data[pos + 21:pos + 23], "big") & 7)
            pos += 12 + length
    return codecs


def test_batches_are_lz4_by_default_and_every_client_reads_them(procs, tmp_path):
    from kafka import KafkaConsumer
    _, brokers = procs.broker(tmp_path / "data")
    _, url = procs.collector(brokers)
    _, plain_url = procs.collector(brokers, name="plain", extra=["--topic", "plain", "--compression", "none"])
    calls = [{"type": "track", "userId": f"u{i % 7}", "event": "Sword Bought",
              "properties": {"color": "red", "price": i}} for i in range(300)]
    for u in (url, plain_url):
        status, _, data = request(u, "POST", "/v1/batch", {"batch": calls})
        assert (status, json.loads(data)) == (200, {"success": True}), data
    for topic in ("events", "plain"):
        rows = consume(brokers, topic, 300)  # kcat
        assert sorted(e["properties"]["price"] for _, _, e in rows) == list(range(300))
        consumer = KafkaConsumer(topic, bootstrap_servers=brokers, auto_offset_reset="earliest")
        prices, deadline = [], time.monotonic() + 30
        while len(prices) < 300 and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                prices += [json.loads(m.value)["properties"]["price"] for m in records]
        consumer.close()
        prices.sort()
        assert prices == list(range(300)), topic
    lz4, none = batch_codecs(tmp_path / "data" / "events-0"), batch_codecs(tmp_path / "data" / "plain-0")
    assert lz4 and set(lz4) <= {0, 3} and 3 in lz4, lz4  # librdkafka sends a batch raw if lz4 does not shrink it
    assert none and set(none) == {0}, none


def test_healthz_and_metrics(procs, tmp_path, refused_addr):
    _, brokers = procs.broker(tmp_path / "data")
    _, url = procs.collector(brokers)
    deadline = time.monotonic() + 15
    while request(url, "GET", "/healthz")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    status, _, data = request(url, "GET", "/healthz")
    assert status == 200 and json.loads(data)["broker"] == "reachable"
    assert request(url, "POST", "/v1/track", {"userId": "u", "event": "M"})[0] == 200
    assert request(url, "GET", "/nope/x")[0] == 404
    status, headers, data = request(url, "GET", "/metrics")
    text = data.decode()
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'eventlake_collector_requests_total{route="/v1/track",status="200"} 1' in text
    assert 'eventlake_collector_requests_total{route="other",status="404"} 1' in text
    assert "eventlake_collector_events_total 1" in text
    assert 'eventlake_collector_request_duration_seconds_bucket{le="+Inf"}' in text
    assert "eventlake_collector_request_duration_seconds_count" in text
    assert "eventlake_collector_request_bytes_total" in text
    # The gauge counts messages librdkafka still holds; the answered event's message is released
    # just after its delivery report, so the gauge reaches 0 a moment after the answer.
    deadline = time.monotonic() + 5
    while "eventlake_collector_producer_queue_depth 0\n" not in text and time.monotonic() < deadline:
        time.sleep(0.05)
        text = request(url, "GET", "/metrics")[2].decode()
    assert "eventlake_collector_producer_queue_depth 0\n" in text

    _, down_url = procs.collector(refused_addr, name="down")
    time.sleep(1.5)
    status, headers, data = request(down_url, "GET", "/healthz")
    assert status == 503 and json.loads(data)["broker"] == "unreachable"
    assert headers["retry-after"] == "1"


def time_until_closed(url, payload):
    host, port = url.removeprefix("http://").split(":")
    s = socket.create_connection((host, int(port)), timeout=20)
    start = time.monotonic()
    s.sendall(payload)
    try:
        while s.recv(4096):
            pass
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return time.monotonic() - start


def test_stalled_clients_time_out(procs, refused_addr):
    _, url = procs.collector(refused_addr, extra=["--header-timeout-ms", "500", "--body-timeout-ms", "800"])
    assert 0.4 < time_until_closed(url, b"GET / HTTP/1.1\r\nHost: x\r\n") < 5
    body_stall = b"POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\""
    assert 0.7 < time_until_closed(url, body_stall) < 5
    assert request(url, "GET", "/healthz")[0] in (200, 503)  # still serving


def test_sigterm_drains_in_flight_requests(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    collector, url = procs.collector(brokers)
    assert request(url, "POST", "/v1/track", {"userId": "u", "event": "warm"})[0] == 200
    results = []

    def send(i):
        body = {"batch": [{"type": "track", "userId": f"u{i}", "event": "drain", "messageId": f"d{i}-{j}"}
                          for j in range(200)]}
        try:
            results.append((i, request(url, "POST", "/v1/batch", body)[0]))
        except OSError:
            results.append((i, None))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    assert collector.stop() == 0
    for t in threads:
        t.join(30)
    ok = {i for i, s in results if s == 200}
    assert all(s in (200, 503, None) for _, s in results), results
    rows = consume(brokers, "events", 1 + 200 * len(ok))
    ids = {e["event_id"] for _, _, e in rows}
    for i in ok:
        assert all(f"d{i}-{j}" in ids for j in range(200))
