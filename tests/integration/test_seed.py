"""The seed scenario end to end: HTTP events -> broker -> kcat -> lander -> Parquet -> SQL.

Runs once with separate processes (broker, collect, land, query) and once with `eventlake up`.
"""
import csv
import io
import json
import time
import urllib.request

import harness
from harness import kcat

HEADERS = {"User-Agent": "seed-test/1.0", "Accept": "*/*", "X-Player": "p1"}


def get(url, headers=HEADERS):
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.read().decode()


def send_seed_events(http, defaults=3, swords=5):
    for _ in range(defaults):
        assert get(http + "/") == (200, "This is the default response!\n")
    for _ in range(swords):
        assert get(http + "/purchase_a_sword") == (200, "Sword Purchased!\n")


def consume_all(brokers, topic="events"):
    out = kcat(["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q"]).stdout.decode()
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def query_csv(lake, sql):
    cp = harness.run(["query", "--lake", str(lake), "--format", "csv", sql])
    return list(csv.DictReader(io.StringIO(cp.stdout)))


def counts_by_type(lake, table="events"):
    rows = query_csv(lake, f"SELECT event_type, count(*) AS n FROM {table} GROUP BY 1 ORDER BY 1")
    return {r["event_type"]: int(r["n"]) for r in rows}


def check_kcat_events(brokers, http_host, defaults, swords):
    events = consume_all(brokers)
    assert len(events) == defaults + swords
    assert sum(e["event_type"] == "default" for e in events) == defaults
    assert sum(e["event_type"] == "purchase_sword" for e in events) == swords
    for e in events:
        # The request's headers are merged into each event, as the Flask app's update(request.headers).
        assert e["Host"] == http_host
        assert e["User-Agent"] == "seed-test/1.0"
        assert e["Accept"] == "*/*"
        assert "X-Player" not in e  # outside the collector's default header allow-list
        assert e["received_at"].endswith("Z")
    assert len({e["event_id"] for e in events}) == len(events)


def test_seed_with_separate_processes(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "log")
    _, http = procs.collector(brokers)
    send_seed_events(http, defaults=3, swords=5)
    check_kcat_events(brokers, http.removeprefix("http://"), 3, 5)

    lake = tmp_path / "lake"
    cp = harness.run(["land", "--brokers", brokers, "--topic", "events", "--lake", str(lake)])
    assert "8 events" in cp.stdout
    assert counts_by_type(lake) == {"default": 3, "purchase_sword": 5}
    # One table per event type, with the same columns.
    rows = query_csv(lake, "SELECT count(*) AS n, count(DISTINCT _offset) AS d FROM events_purchase_sword")
    assert rows == [{"n": "5", "d": "5"}]
    rows = query_csv(lake, 'SELECT DISTINCT "User-Agent" AS ua, typeof(_timestamp) AS t FROM events_default')
    assert rows == [{"ua": "seed-test/1.0", "t": "TIMESTAMP"}]

    # Landing the same range again in overwrite mode (the default) leaves each event once.
    harness.run(["land", "--brokers", brokers, "--topic", "events", "--lake", str(lake)])
    assert counts_by_type(lake) == {"default": 3, "purchase_sword": 5}


def test_seed_with_up(procs, tmp_path):
    data = tmp_path / "data"
    pf = tmp_path / "up.port"
    up = procs.start(["up", "--data", str(data), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0",
                      "--port-file", str(pf), "--flush-ms", "200"], "up")
    ports = up.wait_port_file(pf)
    brokers = f"127.0.0.1:{ports['kafka']}"
    http = f"http://127.0.0.1:{ports['http']}"

    send_seed_events(http, defaults=2, swords=4)
    assert get(http + "/purchase_a_sword?color=red&sword_type=katana")[0] == 200
    events = consume_all(brokers)
    assert len(events) == 7
    katana = [e for e in events if e.get("sword_type") == "katana"]
    assert len(katana) == 1 and katana[0]["color"] == "red"

    # The continuous lander makes acknowledged events queryable without a separate job.
    lake = data / "lake"
    deadline = time.monotonic() + 30
    counts = {}
    while time.monotonic() < deadline:
        if (lake / "events").exists():
            counts = counts_by_type(lake)
            if counts == {"default": 2, "purchase_sword": 5}:
                break
        time.sleep(0.2)
    assert counts == {"default": 2, "purchase_sword": 5}
    assert up.stop() == 0
    assert "ready in" in up.output()
