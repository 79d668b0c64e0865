"""`eventlake collect` against the real binary: seed routes, query parameters, POST /events, errors,
the events as kcat sees them on the topic, and a broker that is down."""
import http.client
import json
import re
import socket
import time

import pytest

import harness

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class Http:
    """One keep-alive HTTP/1.1 connection to the collector."""

    def __init__(self, base_url, timeout=30):
        host, port = base_url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), data

    def close(self):
        self.conn.close()


@pytest.fixture
def refused_addr():
    """HOST:PORT of a socket that is bound but never listens: connections to it are refused, and no
    other process can take the port while the test runs."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{s.getsockname()[1]}"
    s.close()


def consume_all(brokers, expected, timeout=30):
    """Reads the events topic from the beginning with kcat until `expected` events are seen."""
    deadline = time.monotonic() + timeout
    events = []
    while time.monotonic() < deadline:
        cp = harness.kcat(["-C", "-b", brokers, "-t", "events", "-o", "beginning", "-e", "-q"],
                          check=False)
        events = [json.loads(line) for line in cp.stdout.decode().splitlines() if line.strip()]
        if len(events) >= expected:
            return events
        time.sleep(0.3)
    raise AssertionError(f"expected {expected} events, got {len(events)}: {events}")


def test_routes_land_on_the_topic_with_headers(procs, tmp_path):
    broker, brokers = procs.broker(tmp_path / "data")
    collector, url = procs.collector(brokers)
    c = Http(url)
    ua = {"User-Agent": "seed-test/1.0", "Accept": "*/*", "Cache-Control": "no-cache"}
    status, headers, body = c.request("GET", "/", headers=ua)
    assert (status, body) == (200, b"This is the default response!\n")
    assert headers["Content-Type"].startswith("text/plain")
    status, _, body = c.request("GET", "/purchase_a_sword", headers=ua)
    assert (status, body) == (200, b"Sword Purchased!\n")
    status, _, body = c.request("GET", "/purchase_a_sword?color=red&sword_type=katana", headers=ua)
    assert (status, body) == (200, b"Sword Purchased!\n")
    status, headers, body = c.request("GET", "/join_guild?guild=night%20owls&rank=2&rank=3")
    assert status == 200 and headers["Content-Type"] == "application/json"
    answer = json.loads(body)
    assert answer["status"] == "ok" and answer["event_type"] == "join_guild"
    assert UUID4.match(answer["event_id"])
    status, _, body = c.request("POST", "/events", body=json.dumps({"event_type": "login", "user": 7}),
                                headers={"Content-Type": "application/json"})
    assert (status, json.loads(body)) == (200, {"accepted": 1})
    batch = [{"event_type": "attack", "target": {"kind": "orc", "hp": [3, 2]}}, {"event_type": "logout"}]
    status, _, body = c.request("POST", "/events", body=json.dumps(batch))
    assert (status, json.loads(body)) == (200, {"accepted": 2})
    c.close()

    events = consume_all(brokers, 7)
    assert len(events) == 7
    types = [e["event_type"] for e in events]
    assert types == ["default", "purchase_sword", "purchase_sword", "join_guild", "login", "attack",
                     "logout"]
    for e in events:
        assert e["Host"] == url.removeprefix("http://")
        assert ISO_MS.match(e["received_at"]), e
        assert UUID4.match(e["event_id"]), e
    assert len({e["event_id"] for e in events}) == 7
    assert events[0]["User-Agent"] == "seed-test/1.0"
    assert events[0]["Accept"] == "*/*"
    assert "Cache-Control" not in events[0]  # not in the default header allow-list
    assert events[2]["color"] == "red" and events[2]["sword_type"] == "katana"
    assert "color" not in events[1]
    assert events[3]["guild"] == "night owls" and events[3]["rank"] == "3"
    assert events[3]["event_id"] == answer["event_id"]
    assert events[4]["user"] == 7 and events[4]["Content-Type"] == "application/json"
    assert events[5]["target"] == {"kind": "orc", "hp": [3, 2]}

    assert "listening on http://127.0.0.1:" in collector.output()
    assert collector.stop() == 0


def test_bad_requests_get_json_errors(procs, refused_addr):
    collector, url = procs.collector(refused_addr)
    c = Http(url)
    for body, needle in [(b'{"a":', "malformed JSON"), (b"[]", "empty array"),
                         (b'[{"a":1}, 5]', "element 1 is not a JSON object"),
                         (b'"text"', "object or an array")]:
        status, headers, data = c.request("POST", "/events", body=body)
        assert status == 400, (body, data)
        assert headers["Content-Type"] == "application/json"
        assert needle in json.loads(data)["error"]
    status, _, data = c.request("GET", "/not/a/route")
    assert status == 404 and "error" in json.loads(data)
    status, _, data = c.request("GET", "/bad%20name")
    assert status == 404
    status, headers, data = c.request("DELETE", "/")
    assert status == 405 and headers["Allow"] == "GET, OPTIONS" and "error" in json.loads(data)
    status, headers, _ = c.request("GET", "/events")
    assert status == 405 and headers["Allow"] == "POST, OPTIONS"
    big = b"[" + b",".join([b'{"pad":"' + b"x" * 1000 + b'"}'] * 600) + b"]"
    status, headers, data = c.request("POST", "/events", body=big)
    assert status == 413 and "error" in json.loads(data)
    c.close()
    # The collector keeps serving after every one of those.
    c = Http(url)
    status, _, _ = c.request("GET", "/nope/nope")
    assert status == 404
    c.close()
    assert collector.stop() == 0


def test_broker_down_gives_503_in_bounded_time(procs, refused_addr):
    collector, url = procs.collector(refused_addr)
    c = Http(url)
    start = time.monotonic()
    status, headers, data = c.request("GET", "/purchase_a_sword")
    elapsed = time.monotonic() - start
    assert status == 503, data
    assert headers["Retry-After"] == "1"
    assert "error" in json.loads(data)
    assert elapsed < 15, elapsed
    # Still serving, on the same connection and on a new one.
    status, _, _ = c.request("POST", "/events", body=b"{bad")
    assert status == 400
    c.close()
    c = Http(url)
    status, _, _ = c.request("GET", "/events")
    assert status == 405
    c.close()
    assert collector.stop() == 0


def test_bad_flags_exit_2(tmp_path):
    assert harness.run(["collect"], check=False, timeout=30).returncode == 2
    assert harness.run(["collect", "--brokers", "x", "--listen", "127.0.0.1:notaport"], check=False,
                       timeout=30).returncode == 2
    bad = ["--ignore-path", "/robots.txt", "--ignore-path", "favicon.ico"]
    for args in (["collect", "--brokers", "x", "--listen", "127.0.0.1:0", *bad],
                 ["up", "--data", str(tmp_path / "up"), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0",
                  *bad]):
        cp = harness.run(args, check=False, timeout=30)
        assert cp.returncode == 2, cp
        assert "--ignore-path" in cp.stderr + cp.stdout and "'favicon.ico'" in cp.stderr + cp.stdout
    assert not (tmp_path / "up").exists()  # refused before anything started
    up = ["up", "--data", str(tmp_path / "up"), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0"]
    for args, flag in ((up + ["--flush-ms", "-5"], "--flush-ms"),
                       (up + ["--flush-ms", "0"], "--flush-ms"),
                       (["--log-level", "bogus"] + up, "--log-level"),
                       (["collect", "--brokers", "x", "--stall-timeout-ms", "0"], "--stall-timeout-ms")):
        cp = harness.run(args, check=False, timeout=30)
        assert cp.returncode == 2 and flag in cp.stderr + cp.stdout, (args, cp)
    assert not (tmp_path / "up").exists()


def test_browser_and_crawler_paths_are_not_events(procs, tmp_path):
    broker, brokers = procs.broker(tmp_path / "data")
    collector, url = procs.collector(brokers)
    c = Http(url)
    ignored = ["/favicon.ico", "/robots.txt", "/.well-known/security.txt",
               "/apple-touch-icon-precomposed.png", "/robots.txt?from=crawler"]
    for path in ignored:
        status, headers, data = c.request("GET", path)
        assert status == 404 and headers["Content-Type"] == "application/json", (path, data)
        assert json.loads(data)["error"].startswith("ignored path, not an event: /"), data
    status, _, _ = c.request("OPTIONS", "/favicon.ico", headers={"Origin": "https://game.example"})
    assert status == 404
    status, _, body = c.request("GET", "/open_map?zone=3")
    assert status == 200 and json.loads(body)["event_type"] == "open_map"
    status, _, data = c.request("GET", "/metrics")
    not_found = len(ignored) + 1  # and the preflight
    assert f'eventlake_collector_requests_total{{route="other",status="404"}} {not_found}\n' in data.decode()
    c.close()
    # Every answer above came after its events were acknowledged, so anything an ignored path had
    # produced would be on the topic before open_map.
    assert [e["event_type"] for e in consume_all(brokers, 1)] == ["open_map"]
    assert collector.stop() == 0


def test_ignore_path_none_and_replacement(procs, tmp_path):
    broker, brokers = procs.broker(tmp_path / "data")
    _, none_url = procs.collector(brokers, name="none", extra=["--ignore-path", "none"])
    c = Http(none_url)
    status, _, body = c.request("GET", "/favicon.ico")
    assert status == 200 and json.loads(body)["event_type"] == "favicon.ico"
    c.close()
    _, wp_url = procs.collector(brokers, name="wp", extra=["--ignore-path", "/wp-*"])
    c = Http(wp_url)
    status, _, data = c.request("GET", "/wp-login.php")
    assert status == 404 and "error" in json.loads(data)
    status, _, _ = c.request("GET", "/robots.txt")  # the given list replaced the default one
    assert status == 200
    c.close()
    assert [e["event_type"] for e in consume_all(brokers, 2)] == ["favicon.ico", "robots.txt"]


def read_answers(sock, count, timeout=20):
    """Reads `count` HTTP answers (each with Content-Length) from `sock`; returns (head, body) pairs."""
    sock.settimeout(timeout)
    data = b""
    answers = []
    while len(answers) < count:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode()
            length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))
            if len(data) >= head_end + 4 + length:
                answers.append((head, data[head_end + 4:head_end + 4 + length]))
                data = data[head_end + 4 + length:]
                continue
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {len(answers)} answers"
        data += chunk
    return answers


def test_seed_answers_pipelined_keep_alive_cors_and_close(procs, tmp_path):
    broker, brokers = procs.broker(tmp_path / "data")
    collector, url = procs.collector(brokers)
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as s:
        # Three pipelined requests: the answers come back in order, each with exact headers.
        s.sendall(b"GET /purchase_a_sword HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /purchase_a_sword HTTP/1.1\r\nHost: x\r\nOrigin: https://game.example\r\n\r\n")
        answers = read_answers(s, 3)
        assert answers[0] == ("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                              "Content-Length: 17", b"Sword Purchased!\n")
        assert answers[1][0].startswith("HTTP/1.1 200 OK\r\n")
        assert answers[1][1] == b"This is the default response!\n"
        assert "Access-Control-Allow-Origin: *" in answers[2][0]
        assert answers[2][1] == b"Sword Purchased!\n"
        s.sendall(b"GET /purchase_a_sword HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head, body = read_answers(s, 1)[0]
        assert "Connection: close" in head and body == b"Sword Purchased!\n"
        assert s.recv(1) == b""  # closed after the answer
    assert len(consume_all(brokers, 4)) == 4
    assert collector.stop() == 0
