"""`eventlake land` and `eventlake query` against the real broker binary, produced to with kcat.

Set EVENTLAKE_TEST_BROKERS=host:port to run against another Kafka-compatible cluster instead of
`eventlake broker` (topic names are unique per test, so a shared cluster is fine).
"""
import json
import os
import signal
import time


import harness
from harness import create_topic, land, produce, query, scalar, topic_name


def column_types(lake, table):
    return {r["column_name"]: r["column_type"] for r in query(lake, f'DESCRIBE "{table}"')}


def test_seed_events_land_with_types_and_event_type_tables(brokers, tmp_path):
    topic = topic_name()
    gen = harness.run(["generate", "game-events", "--count", "300", "--seed", "5"])
    lines = gen.stdout.splitlines()
    expected = {}
    for line in lines:
        t = json.loads(line)["event_type"]
        expected[t] = expected.get(t, 0) + 1
    produce(brokers, topic, lines)
    lake = tmp_path / "lake"
    cp = land(brokers, lake, topic)
    out = cp.stdout.strip().splitlines()
    assert len(out) == 1
    assert out[0].startswith(f"landed 300 events from {topic}[0..299] into {len(expected) + 1} tables")
    assert "0 dead letters" in out[0]
    got = {r["event_type"]: int(r["n"]) for r in
           query(lake, f'SELECT event_type, count(*) AS n FROM "{topic}" GROUP BY 1')}
    assert got == expected
    for t, n in expected.items():
        assert int(scalar(lake, f'SELECT count(*) FROM "{topic}_{t}"')) == n
    types = column_types(lake, topic)
    assert types["item"].startswith("STRUCT(") and "price DOUBLE" in types["item"]
    assert types["tags"] == "VARCHAR[]"
    assert types["_timestamp"] == "TIMESTAMP"
    assert types["_offset"] == "BIGINT" and types["_partition"] == "INTEGER"
    # Each event is written once: in its type's folder of the topic's table, the type's table being
    # that folder; the folder's files hold the columns that type's events have.
    for t in expected:
        assert os.path.exists(lake / topic / f"event_type={t}" / f"{topic}+0+0-299.parquet")
        assert os.path.exists(lake / topic / f"event_type={t}" / "_SUCCESS")
    assert not any(p.is_dir() and p.name.startswith(topic + "_") for p in lake.iterdir())
    in_files = query(lake, f"SELECT count(*) AS n FROM read_parquet('{lake}/{topic}/**/*.parquet')")
    assert int(in_files[0]["n"]) == 300
    for t in expected:
        cols = {r["column_name"] for r in query(
            lake, f"DESCRIBE SELECT * FROM read_parquet('{lake}/{topic}/event_type={t}/*.parquet', hive_partitioning=false)")}
        meta = {"_topic", "_partition", "_offset", "_timestamp", "_key"}  # in every file
        nonnull = {c for c in cols if int(scalar(lake, f'SELECT count("{c}") FROM "{topic}_{t}"')) > 0}
        assert cols - meta == nonnull - meta and meta <= cols, (t, cols ^ nonnull)
        assert "event_type" not in cols
    assert harness.staging_left(lake, topic) == []


def test_empty_topic_prints_one_line_and_exits_0(brokers, tmp_path):
    topic = topic_name("empty")
    create_topic(brokers, topic)
    cp = land(brokers, tmp_path / "lake", topic)
    assert cp.stdout.strip() == f"nothing to land: topic {topic} has no events in the range"
    produce(brokers, topic, ['{"a":1}'])
    cp = land(brokers, tmp_path / "lake", topic, "--from", "latest")
    assert cp.stdout.strip() == f"nothing to land: topic {topic} has no events in the range"
    assert not os.path.exists(tmp_path / "lake" / topic)


def test_unknown_topic_and_unreachable_broker_fail_clearly(brokers, tmp_path):
    cp = land(brokers, tmp_path / "lake", topic_name("missing"), check=False)
    assert cp.returncode == 1
    assert "unknown topic" in cp.stderr
    started = time.monotonic()
    cp = land("127.0.0.1:1", tmp_path / "lake", "events", check=False)
    assert cp.returncode == 1
    assert "cannot reach the brokers" in cp.stderr
    assert time.monotonic() - started < 15


def test_schema_changes_conflicts_and_dead_letters(brokers, tmp_path):
    topic = topic_name()
    produce(brokers, topic, [
        '{"event_type":"a","n":1,"nested":{"x":1}}',
        '{"event_type":"b","n":"one","extra":[1,2]}',
        'not json at all',
        '[1,2,3]',
        '{"event_type":"a","n":2.5,"nested":{"x":2,"y":"new"}}',
    ])
    lake = tmp_path / "lake"
    cp = land(brokers, lake, topic)
    assert "landed 3 events" in cp.stdout and "2 dead letters" in cp.stdout
    types = column_types(lake, topic)
    assert types["n"] in ("JSON", "VARCHAR")
    assert types["nested"] == "STRUCT(x BIGINT, y VARCHAR)"
    assert types["extra"] == "BIGINT[]"
    rows = query(lake, f'SELECT _offset, CAST(n AS VARCHAR) AS n, nested.y AS y FROM "{topic}" ORDER BY _offset')
    assert [r["_offset"] for r in rows] == ["0", "1", "4"]
    assert rows[2]["y"] == "new"
    dead = query(lake, f'SELECT _offset, raw, error FROM "{topic}_dead_letter" ORDER BY _offset')
    assert [(d["_offset"], d["raw"]) for d in dead] == [("2", "not json at all"), ("3", "[1,2,3]")]
    assert all(d["error"] for d in dead)


def test_keys_and_event_types_sql_and_file_names_cannot_hold(brokers, tmp_path):
    topic = topic_name()
    long_type = "x" * 300
    produce(brokers, topic, [
        '{"event_type":"a","":1,"\\u0000k":2,"k\\nq":3,"_empty_key":4}',
        '{"event_type":"' + long_type + '","n":1}',
        '{"event_type":"' + long_type + 'y","n":2}',
        '{"event_type":"b"}',
        '{"event_type":123}',
        '{"event_type":null}',
    ])
    lake = tmp_path / "lake"
    cp = land(brokers, lake, topic)
    assert "landed 6 events" in cp.stdout, cp.stdout + cp.stderr
    # The empty key and control characters become names SQL can hold; the record is kept whole.
    row = query(lake, f'SELECT "_empty_key", "_empty_key_2", "_k", "k_q" FROM "{topic}" WHERE _offset = 0')[0]
    assert row == {"_empty_key": "1", "_empty_key_2": "4", "_k": "2", "k_q": "3"}
    # event_type has mixed types (JSON): its strings still name tables without quotes, and very
    # long values get short, distinct folder names.
    tables = harness.reader_tables(lake)
    longs = [t for t in tables if t.startswith(f"{topic}_xxx")]
    assert len(longs) == 2 and all(len(t) == len(topic) + 1 + 64 for t in longs), tables
    assert {f"{topic}_a", f"{topic}_b", f"{topic}_123"} <= set(tables), tables
    assert scalar(lake, f'SELECT count(*) FROM "{longs[0]}"') == "1"


def test_overwrite_append_and_error_modes(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, [json.dumps({"event_type": "e", "i": i}) for i in range(5)])
    land(brokers, lake, topic)
    land(brokers, lake, topic)  # overwrite replaces
    assert scalar(lake, f'SELECT count(*) FROM "{topic}"') == "5"
    produce(brokers, topic, [json.dumps({"event_type": "e", "i": i}) for i in range(5, 8)])
    land(brokers, lake, topic, "--mode", "append", "--from", "5")
    assert scalar(lake, f'SELECT count(*) FROM "{topic}"') == "8"
    assert scalar(lake, f'SELECT count(DISTINCT _offset) FROM "{topic}_e"') == "8"
    cp = land(brokers, lake, topic, "--mode", "error", check=False)
    assert cp.returncode == 1 and "already exists" in cp.stderr
    land(brokers, lake, topic, "--from", "6", "--to", "7")  # overwrite with a sub-range
    assert scalar(lake, f'SELECT min(_offset) || \'-\' || max(_offset) FROM "{topic}"') == "6-6"


def wait_count(lake, topic, want, timeout=20):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        if os.path.isdir(lake / topic):
            got = int(scalar(lake, f'SELECT count(*) FROM "{topic}"'))
            if got >= want:
                return got
        time.sleep(0.2)
    return got


def test_follow_picks_up_events_and_resumes_without_duplicates(brokers, procs, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, [json.dumps({"event_type": "e", "i": i}) for i in range(10)])
    args = ["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--follow",
            "--flush-ms", "200"]
    total = 10
    for round_, stop_signal in enumerate([signal.SIGTERM, signal.SIGKILL, signal.SIGTERM]):
        follower = procs.start(args, name=f"follow{round_}")
        if round_ > 0:
            produce(brokers, topic, [json.dumps({"event_type": "e", "i": total + i}) for i in range(10)])
            total += 10
        assert wait_count(lake, topic, total) == total, follower.output()
        if round_ == 0:  # new events while running are picked up within seconds
            produce(brokers, topic, [json.dumps({"event_type": "e", "i": total + i}) for i in range(5)])
            total += 5
            assert wait_count(lake, topic, total) == total, follower.output()
        rc = follower.stop(stop_signal)
        if stop_signal == signal.SIGTERM:
            assert rc == 0, follower.output()
    assert scalar(lake, f'SELECT count(*) FROM "{topic}"') == str(total)
    assert scalar(lake, f'SELECT count(DISTINCT (_partition, _offset)) FROM "{topic}"') == str(total)
    assert scalar(lake, f'SELECT count(DISTINCT (_partition, _offset)) FROM "{topic}_e"') == str(total)
    assert scalar(lake, f'SELECT count(*) FROM "{topic}_e"') == str(total)


def test_follow_catches_up_a_backlog_in_full_batches_then_lands_each_event_soon(brokers, procs, tmp_path):
    """Batches are sized by lag: a backlog lands in --max-rows batches although --flush-ms is short;
    once caught up, a new event lands flush-ms after it arrives, alone."""
    topic = topic_name()
    lake = tmp_path / "lake"
    events = harness.run(["generate", "game-events", "--count", "60000", "--seed", "3"]).stdout.splitlines()
    produce(brokers, topic, events)
    follower = procs.start(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--follow",
                            "--flush-ms", "20", "--max-rows", "20000"], "follow")
    harness.wait_until(lambda: sum(harness.landed_ends(lake, topic).values()) >= 60000, 120,
                       "the backlog to land")
    def ranges():  # the source ranges the table's files hold (each in every event type's folder)
        return sorted({f for _, _, names in os.walk(lake / topic) for f in names if f.endswith(".parquet")})
    files = ranges()
    assert len(files) == 3, files  # 60000 events in batches of 20000, not one batch per 20 ms
    produce(brokers, topic, [json.dumps({"event_type": "late", "i": 1})])
    harness.wait_until(lambda: sum(harness.landed_ends(lake, topic).values()) == 60001, 30, "the new event")
    assert len(ranges()) == 4
    assert follower.stop() == 0, follower.output()
    assert scalar(lake, f'SELECT count(DISTINCT _offset) FROM "{topic}"') == "60001"


def test_query_formats_and_errors(brokers, tmp_path):
    topic = topic_name()
    produce(brokers, topic, ['{"event_type":"a","item":{"kind":"sword"},"tags":["x","y"]}'])
    lake = tmp_path / "lake"
    land(brokers, lake, topic)
    cp = harness.run(["query", "--lake", str(lake), "--format", "json",
                      f'SELECT item, tags FROM "{topic}"'])
    assert json.loads(cp.stdout) == [{"item": {"kind": "sword"}, "tags": ["x", "y"]}]
    cp = harness.run(["query", "--lake", str(lake)], input=f'SELECT 1 AS one; SELECT count(*) AS n FROM "{topic}";')
    assert cp.stdout.splitlines()[0].split() == ["n"] and "(1 row)" in cp.stdout
    cp = harness.run(["query", "--lake", str(lake), "SELECT * FROM nope"], check=False)
    assert cp.returncode == 1 and len(cp.stderr.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()  # an empty lake has no tables; a missing one is an error
    cp = harness.run(["query", "--lake", str(tmp_path / "empty"), "--format", "csv", "SELECT 42 AS x"])
    assert cp.stdout.splitlines() == ["x", "42"]
    cp = harness.run(["query", "--lake", str(tmp_path / "missing"), "SELECT 42 AS x"], check=False)
    assert cp.returncode == 2 and "lake " + str(tmp_path / "missing") + " does not exist" in cp.stderr
