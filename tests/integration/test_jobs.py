"""`eventlake land --job FILE`: the seed's three jobs from examples/, job ranges, event-time
partitions, schema history across runs and the record size limit, against the real broker."""
import json
import os
import pathlib
from datetime import datetime, timezone


import harness
from harness import produce, query, scalar, topic_name

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def land_job(brokers, lake, job, *extra, check=True):
    return harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--job", str(job), *extra],
                       timeout=90, check=check)


def write_job(tmp_path, text, name="job"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_seed_jobs_extract_munge_separate(brokers, tmp_path):
    topic = topic_name()
    lines = harness.run(["generate", "game-events", "--count", "200", "--seed", "11"]).stdout.splitlines()
    events = [json.loads(line) for line in lines]
    produce(brokers, topic, lines)
    lake = tmp_path / "lake"

    cp = land_job(brokers, lake, EXAMPLES / "extract_events.toml", "--topic", topic)
    assert cp.stdout.strip().startswith(f"landed 200 events from {topic}[0..199] into 1 tables (extracted_events)")
    assert scalar(lake, "SELECT count(DISTINCT _offset) FROM extracted_events") == "200"
    assert scalar(lake, "SELECT count(*) FROM extracted_events WHERE _topic = '%s'" % topic) == "200"

    land_job(brokers, lake, EXAMPLES / "munge_events.toml", "--topic", topic)
    rows = query(lake, 'SELECT "Host", "Cache-Control", CAST("timestamp" = _timestamp AS VARCHAR) AS same, '
                       'event_id FROM munged_events ORDER BY _offset')
    assert len(rows) == 200
    assert {r["Host"] for r in rows} == {"moe"}
    assert {r["Cache-Control"] for r in rows} == {"no-cache"}
    assert {r["same"] for r in rows} == {"true"}
    assert [r["event_id"] for r in rows] == [e["event_id"] for e in events]
    # the extract job's table is untouched by the other jobs
    assert scalar(lake, 'SELECT count(*) FROM extracted_events WHERE "Host" = \'moe\'') == "0"

    cp = land_job(brokers, lake, EXAMPLES / "separate_events.toml", "--topic", topic)
    assert "into 2 tables (default_hits, sword_purchases)" in cp.stdout
    for table, kind in (("sword_purchases", "purchase_sword"), ("default_hits", "default")):
        want = [e for e in events if e["event_type"] == kind]
        assert want, kind
        assert scalar(lake, f"SELECT count(*) FROM {table}") == str(len(want))
        days = {e["received_at"][:10] for e in want}
        folders = sorted(p.name for p in (lake / table).iterdir() if not p.name.startswith(("_", ".")))
        assert folders == sorted(f"dt={d}" for d in days)
        for folder in folders:
            assert (lake / table / folder / "_SUCCESS").exists()
            assert all(f.endswith(".parquet") and f.startswith(f"{topic}+0+0-199")
                       for f in os.listdir(lake / table / folder) if not f.startswith("_"))
        by_day = {r["dt"]: int(r["n"]) for r in query(
            lake, f"SELECT CAST(dt AS VARCHAR) AS dt, count(*) AS n FROM read_parquet("
                  f"'{lake}/{table}/*/*.parquet', hive_partitioning=true) GROUP BY 1")}
        assert by_day == {d: sum(1 for e in want if e["received_at"][:10] == d) for d in days}


def test_job_ranges_offsets_and_timestamps(brokers, tmp_path):
    from kafka import KafkaProducer
    topic = topic_name()
    base = 1_700_000_000_000
    producer = KafkaProducer(bootstrap_servers=brokers, api_version=(2, 0, 0))
    for i in range(20):
        producer.send(topic, json.dumps({"i": i}).encode(), partition=0, timestamp_ms=base + i * 60_000)
    producer.flush(timeout=20)
    producer.close()
    lake = tmp_path / "lake"
    job = write_job(tmp_path, f"""
[source]
topic = "{topic}"
from = {{ 0 = 5 }}
to = 12
[[output]]
table = "slice"
sql = "SELECT i, _offset FROM source"
""")
    land_job(brokers, lake, job)
    assert scalar(lake, "SELECT string_agg(i, ',' ORDER BY i) FROM slice") == ",".join(str(i) for i in range(5, 12))
    start = datetime.fromtimestamp((base + 15 * 60_000) / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    job = write_job(tmp_path, f"""
[source]
topic = "{topic}"
from = "{start}"
[[output]]
table = "late"
sql = "SELECT i FROM source"
""", "late")
    land_job(brokers, lake, job)
    assert scalar(lake, "SELECT string_agg(i, ',' ORDER BY i) FROM late") == "15,16,17,18,19"


def test_schema_evolves_across_runs(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    job = write_job(tmp_path, f"""
[source]
topic = "{topic}"
mode = "append"
[[output]]
table = "drift"
""")
    produce(brokers, topic, ['{"n": 1, "s": {"x": 1}, "f": 1}', '{"n": 2, "s": {"x": 2}, "f": 2}'])
    land_job(brokers, lake, job, "--mode", "overwrite")
    produce(brokers, topic, ['{"n": 3000000000, "s": "text", "f": 2.5, "new": true}'])
    job = write_job(tmp_path, job.read_text().replace('mode = "append"', 'mode = "append"\nfrom = 2'))
    land_job(brokers, lake, job)  # appends offset 2 only
    types = {r["column_name"]: r["column_type"] for r in query(lake, "DESCRIBE drift")}
    assert types["n"] == "BIGINT"
    assert types["f"] == "DOUBLE"
    assert types["s"] in ("JSON", "VARCHAR")
    assert types["new"] == "BOOLEAN"
    rows = query(lake, "SELECT n, f, CAST(s AS VARCHAR) AS s, new FROM drift ORDER BY _offset")
    assert [r["n"] for r in rows] == ["1", "2", "3000000000"]
    assert [float(r["f"]) for r in rows] == [1.0, 2.0, 2.5]
    assert json.loads(rows[0]["s"]) == {"x": 1} and json.loads(rows[2]["s"]) == "text"
    out = harness.run(["schema", "drift", "--lake", str(lake)]).stdout
    assert "v1 " in out and "v2 " in out and "created" in out
    assert "added new BOOLEAN" in out
    assert "f BIGINT -> DOUBLE" in out
    assert "s STRUCT(x BIGINT) -> JSON" in out
    assert "n BIGINT" in out.split("columns (v2):")[1]
    cp = harness.run(["schema", "nope", "--lake", str(lake)], check=False)
    assert cp.returncode == 1 and "no schema history" in cp.stderr


def test_size_limit_and_bad_job_files(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, ['{"a": 1}', json.dumps({"a": 2, "pad": "x" * 300}), "{oops"])
    job = write_job(tmp_path, f"""
[source]
topic = "{topic}"
max_record_bytes = 200
[[output]]
table = "small"
""")
    cp = land_job(brokers, lake, job)
    assert "landed 1 events" in cp.stdout and "2 dead letters" in cp.stdout
    dead = query(lake, f'SELECT _offset, error, length(raw) AS n FROM "{topic}_dead_letter" ORDER BY _offset')
    assert dead[0]["_offset"] == "1" and "over the size limit" in dead[0]["error"]
    assert int(dead[0]["n"]) > 300
    assert dead[1]["_offset"] == "2" and "invalid JSON" in dead[1]["error"]
    for text, needle in (("[source]\ntopic = 'x'\n", "at least one [[output]]"),
                         ("[source]\ntopic = 'x'\nbogus = 1\n[[output]]\ntable = 't'\n", "unknown key 'bogus'"),
                         ("[source\n", "line 1"),
                         ("[source]\ntopic = 'x'\nfrom = 'yesterday'\n[[output]]\ntable = 't'\n", "bad offset")):
        cp = land_job(brokers, lake, write_job(tmp_path, text, "bad"), check=False)
        assert cp.returncode == 2 and needle in cp.stderr, (text, cp.stderr)
    cp = land_job(brokers, lake, write_job(tmp_path, f"""
[source]
topic = "{topic}"
[[output]]
table = "broken"
sql = "SELECT no_such_column FROM source"
""", "broken"), check=False)
    assert cp.returncode == 2 and "output broken" in cp.stderr


def test_follow_job_resumes_without_duplicates(brokers, procs, tmp_path):
    import time
    topic = topic_name()
    lake = tmp_path / "lake"
    job = write_job(tmp_path, f"""
[source]
topic = "{topic}"
follow = true
[[output]]
table = "live"
partition_by = ["dt"]
""")
    produce(brokers, topic, [json.dumps({"i": i}) for i in range(10)])
    args = ["land", "--brokers", brokers, "--lake", str(lake), "--job", str(job), "--flush-ms", "200"]
    total = 10
    for round_ in range(2):
        follower = procs.start(args, name=f"follow{round_}")
        if round_ > 0:
            produce(brokers, topic, [json.dumps({"i": total + i}) for i in range(7)])
            total += 7
        deadline = time.monotonic() + 20
        got = 0
        while time.monotonic() < deadline and got < total:
            if (lake / "live").exists():
                got = int(scalar(lake, "SELECT count(*) FROM live"))
            time.sleep(0.2)
        assert got == total, follower.output()
        follower.stop()
    assert scalar(lake, "SELECT count(DISTINCT _offset) FROM live") == str(total)
    assert scalar(lake, "SELECT count(*) FROM live") == str(total)


def test_follow_job_with_two_topics_lands_both_and_resumes(brokers, procs, tmp_path):
    import time
    topics = [topic_name("clicks"), topic_name("views")]
    lake = tmp_path / "lake"
    job = write_job(tmp_path, f"""
name = "both"
[source]
topics = {json.dumps(topics)}
follow = true
[[output]]
table = "all_events"
""")
    args = ["land", "--brokers", brokers, "--lake", str(lake), "--job", str(job), "--flush-ms", "100"]
    want = {t: 0 for t in topics}

    def wait_counts():
        deadline = time.monotonic() + 20
        got = None
        while time.monotonic() < deadline:
            if (lake / "all_events").exists():
                rows = query(lake, "SELECT _topic, count(*) AS n, count(DISTINCT _offset) AS d "
                                   "FROM all_events GROUP BY _topic")
                got = {r["_topic"]: (int(r["n"]), int(r["d"])) for r in rows}
                if got == {t: (n, n) for t, n in want.items() if n}:
                    return got
            time.sleep(0.2)
        return got

    def produce_round():
        for t, n in zip(topics, (5, 8)):
            produce(brokers, t, [json.dumps({"topic": t, "i": want[t] + i}) for i in range(n)])
            want[t] += n

    produce_round()  # the topics exist before the first lander starts
    for round_ in range(2):
        follower = procs.start(args, name=f"follow{round_}")
        if round_ > 0:
            produce_round()
        got = wait_counts()
        assert got == {t: (n, n) for t, n in want.items()}, follower.output()
        assert follower.stop() == 0, follower.output()
    for t in topics:  # each topic's progress is committed in the job's folder
        assert any(f.startswith(t + "+") for f in os.listdir(lake / "_jobs" / "both"))


def test_default_layout_event_time_partitions_in_a_time_zone(brokers, tmp_path):
    from kafka import KafkaProducer
    topic = topic_name()
    producer = KafkaProducer(bootstrap_servers=brokers, api_version=(2, 0, 0))
    kafka_ts = 1_600_000_000_000  # 2020-09-13T12:26:40Z -> 08h in New York
    for value in ({"event_type": "a", "ts": "2018-01-02T03:30:00Z"},      # 2018-01-01 22h in New York
                  {"event_type": "a", "ts": "2018-01-02T12:00:00+02:00"},  # 10:00Z -> 05h
                  {"event_type": "b", "ts": 1514872800},                   # epoch s: 2018-01-02T06:00Z -> 01h
                  {"event_type": "b"}):                                    # no field: Kafka timestamp
        producer.send(topic, json.dumps(value).encode(), partition=0, timestamp_ms=kafka_ts)
    producer.flush(timeout=20)
    producer.close()
    lake = tmp_path / "lake"
    harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--partition-by",
                 "dt,hour", "--event-time-field", "ts", "--time-zone", "America/New_York"], timeout=60)
    rows = query(lake, f'SELECT _offset, CAST(dt AS VARCHAR) AS dt, CAST(hour AS VARCHAR) AS hour FROM "{topic}" '
                       'ORDER BY _offset')
    got = [(r["dt"], int(r["hour"])) for r in rows]
    assert got == [("2018-01-01", 22), ("2018-01-02", 5), ("2018-01-02", 1), ("2020-09-13", 8)]
    # The event type's folder first, then the time folders.
    assert (lake / topic / "event_type=a" / "dt=2018-01-01" / "hour=22" / f"{topic}+0+0-3.parquet").exists()
    assert (lake / topic / "event_type=a" / "dt=2018-01-01" / "hour=22" / "_SUCCESS").exists()
    assert (lake / topic / "event_type=b" / "dt=2020-09-13" / "hour=08").exists()
    assert sorted(int(r["hour"]) for r in query(lake, f'SELECT CAST(hour AS VARCHAR) AS hour FROM "{topic}_b"')) == [
        1, 8]
    cp = harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic,
                      "--partition-by", "dt", "--time-zone", "Mars/Olympus"], check=False)
    assert cp.returncode == 2 and "unknown time zone" in cp.stderr
