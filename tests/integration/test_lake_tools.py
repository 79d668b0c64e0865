"""Lake tools over landed tables: `eventlake ddl`, `eventlake compact`, `eventlake replay-dead-letter`."""
import json
import os
import re
import signal
import time


import harness
from harness import land, produce, query, scalar, topic_name


def data_files(table_dir):
    out = []
    for root, dirs, files in os.walk(table_dir):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        out += [os.path.join(root, f) for f in files if f.endswith(".parquet") and not f.startswith(("_", "."))]
    return sorted(out)


def keys(lake, table):
    return sorted((r["_partition"], int(r["_offset"])) for r in
                  query(lake, f'SELECT _partition, _offset FROM "{table}"'))


def game_events(n, start=0):
    return [json.dumps({"event_type": ["buy", "view"][i % 2], "i": i, "ok": i % 3 == 0,
                        "item": {"id": i, "price": i * 1.5, "tags": ["a", "b"]}}) for i in range(start, start + n)]


def test_ddl_trino_for_landed_and_partitioned_tables(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, game_events(20))
    land(brokers, lake, topic)
    cp = harness.run(["ddl", "--dialect", "trino", "--lake", str(lake), topic])
    ddl = cp.stdout
    assert ddl.startswith(f'CREATE TABLE "hive"."default"."{topic}" (\n')
    cols = dict(re.findall(r'^   "([^"]+)" (.+?),?$', ddl.split("WITH (")[0], re.M))
    assert cols["_topic"] == "VARCHAR" and cols["_partition"] == "INTEGER"
    assert cols["_offset"] == "BIGINT" and cols["_timestamp"] == "TIMESTAMP(6)"
    assert cols["i"] == "BIGINT" and cols["ok"] == "BOOLEAN"
    assert cols["item"] == 'ROW("id" BIGINT, "price" DOUBLE, "tags" ARRAY(VARCHAR))'
    assert f"external_location = 'file://{lake / topic}'" in ddl
    # The topic's table is partitioned by event type: the type is the partition column, not a file column.
    assert "format = 'PARQUET'" in ddl and "partitioned_by = ARRAY['event_type']" in ddl and "CALL" in ddl
    assert cols["event_type"] == "VARCHAR" and list(cols)[-1] == "event_type"
    assert ddl.count("(") == ddl.count(")")
    # An event type's table is located at its folder, with the type's own columns.
    ddl = harness.run(["ddl", "--dialect", "trino", "--lake", str(lake), f"{topic}_buy",
                       "--location-prefix", "s3://bucket/lake"]).stdout
    assert f"external_location = 's3://bucket/lake/{topic}/event_type=buy'" in ddl
    assert "partitioned_by" not in ddl and "CALL" not in ddl and '"event_type"' not in ddl
    assert '"item" ROW(' in ddl
    # A Hive-partitioned table: partition columns come last, sync_partition_metadata follows.
    for dt in ["2024-01-01", "2024-01-02"]:
        d = lake / "pt" / f"dt={dt}" / "h=1"
        d.mkdir(parents=True)
        harness.run(["query", "--lake", str(lake),
                     f"COPY (SELECT 1::BIGINT AS n, {{'a': 'x'}} AS s, '{{}}'::JSON AS j) "
                     f"TO '{d}/pt+0+0-0.parquet' (FORMAT parquet)"])
    cp = harness.run(["ddl", "--lake", str(lake), "pt", "--catalog", "lake", "--schema", "web",
                      "--location-prefix", "s3://bucket/lake/"])
    lines = cp.stdout.splitlines()
    assert lines[0] == 'CREATE TABLE "lake"."web"."pt" ('
    assert lines[1:6] == ['   "n" BIGINT,', '   "s" ROW("a" VARCHAR),', '   "j" VARCHAR,',
                          '   "dt" VARCHAR,', '   "h" VARCHAR']
    assert "   external_location = 's3://bucket/lake/pt'," in lines
    assert "   partitioned_by = ARRAY['dt', 'h']" in lines
    assert lines[-1] == ("CALL \"lake\".system.sync_partition_metadata(schema_name => 'web', "
                         "table_name => 'pt', mode => 'FULL');")
    cp = harness.run(["ddl", "--lake", str(lake), "nope"], check=False)
    assert cp.returncode == 1 and "no Parquet files" in cp.stderr


def test_compact_unpartitioned_table_keeps_rows_and_resume(brokers, procs, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, game_events(50))
    for start in range(0, 50, 10):
        land(brokers, lake, topic, "--mode", "append", "--from", str(start), "--to", str(start + 10))
    before = {t: keys(lake, t) for t in [topic, f"{topic}_buy", f"{topic}_view"]}
    assert len(data_files(lake / topic)) == 10  # five batches, each in both event types' folders
    cp = harness.run(["compact", topic, "--lake", str(lake)])
    assert cp.stdout.startswith(f"compacted {topic}: 2 folders, 10 files -> 2 files, 50 rows"), cp.stdout
    for t in ["buy", "view"]:
        assert [os.path.basename(f) for f in data_files(lake / topic / f"event_type={t}")] == [
            f"{topic}+0+0-49.parquet"]
        assert os.path.exists(lake / topic / f"event_type={t}" / "_SUCCESS")
        assert os.path.isdir(lake / topic / f"event_type={t}" / "_schema")
    assert not [n for n in os.listdir(lake) if n.startswith("_compact")]
    assert {t: keys(lake, t) for t in before} == before
    assert scalar(lake, f'SELECT sum(item.price) FROM "{topic}"') == str(sum(i * 1.5 for i in range(50)))
    cp = harness.run(["compact", topic, "--lake", str(lake)])
    assert cp.stdout.strip() == f"nothing to compact in {topic}"
    # Follow mode resumes after the merged file's range: only new events land, none twice.
    produce(brokers, topic, game_events(7, start=50))
    follower = procs.start(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic,
                            "--follow", "--flush-ms", "100"], "follow")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and int(scalar(lake, f'SELECT count(*) FROM "{topic}"')) < 57:
        time.sleep(0.2)
    assert follower.stop(signal.SIGTERM) == 0, follower.output()
    assert keys(lake, topic) == [("0", i) for i in range(57)]


def test_compact_an_event_types_table_merges_only_its_folder(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, game_events(30))
    for start in range(0, 30, 10):
        land(brokers, lake, topic, "--mode", "append", "--from", str(start), "--to", str(start + 10))
    before = {t: keys(lake, t) for t in [topic, f"{topic}_buy", f"{topic}_view"]}
    cp = harness.run(["compact", f"{topic}_buy", "--lake", str(lake)])
    assert cp.stdout.startswith(f"compacted {topic}_buy: 1 folder, 3 files -> 1 files, 15 rows"), cp.stdout
    assert len(data_files(lake / topic / "event_type=buy")) == 1
    assert len(data_files(lake / topic / "event_type=view")) == 3  # the other type is left alone
    assert {t: keys(lake, t) for t in before} == before
    cp = harness.run(["compact", f"{topic}_nosuch", "--lake", str(lake)], check=False)
    assert cp.returncode != 0 and f"no table {topic}_nosuch" in cp.stderr, cp


def test_compact_partitioned_skips_newest_and_recovers_a_half_done_merge(tmp_path):
    lake = tmp_path / "lake"
    table = lake / "pt"
    offsets = 0
    for dt in ["2024-01-01", "2024-01-02", "2024-01-03"]:
        d = table / f"dt={dt}"
        d.mkdir(parents=True)
        for _ in range(3):
            harness.run(["query", "--lake", str(lake),
                         f"COPY (SELECT 'src' AS _topic, 0 AS _partition, range AS _offset, "
                         f"range * 2 AS v FROM range({offsets}, {offsets + 4})) "
                         f"TO '{d}/src+0+{offsets}-{offsets + 3}.parquet' (FORMAT parquet)"])
            offsets += 4
    (table / "dt=2024-01-01" / "_SUCCESS").write_text("")
    # A merge that was published but whose inputs were not removed yet (crash mid-swap): the
    # covering file supersedes the two it contains.
    d2 = table / "dt=2024-01-02"
    harness.run(["query", "--lake", str(lake),
                 f"COPY (SELECT * FROM read_parquet(['{d2}/src+0+12-15.parquet', "
                 f"'{d2}/src+0+16-19.parquet'])) TO '{d2}/src+0+12-19.parquet' (FORMAT parquet)"])
    # A leftover staging folder of a crashed run is cleaned.
    (table / "_compact-dt=2024-01-01").mkdir()
    before = query(lake, "SELECT dt, count(*) AS n, count(DISTINCT _offset) AS d FROM pt GROUP BY dt ORDER BY dt")
    assert [r["n"] for r in before] == ["12", "20", "12"]  # the duplicates the recovery removes
    cp = harness.run(["compact", "pt", "--lake", str(lake)])
    assert "2 superseded files removed" in cp.stdout
    assert "2 folders, 5 files -> 2 files, 24 rows" in cp.stdout
    names = [os.path.relpath(f, table) for f in data_files(table)]
    assert names == ["dt=2024-01-01/src+0+0-11.parquet", "dt=2024-01-02/src+0+12-23.parquet",
                     "dt=2024-01-03/src+0+24-27.parquet", "dt=2024-01-03/src+0+28-31.parquet",
                     "dt=2024-01-03/src+0+32-35.parquet"]
    assert os.path.exists(table / "dt=2024-01-01" / "_SUCCESS")
    assert not [n for n in os.listdir(table) if n.startswith("_")]
    after = query(lake, "SELECT dt, count(*) AS n, count(DISTINCT _offset) AS d FROM pt GROUP BY dt ORDER BY dt")
    assert [(r["dt"], r["n"], r["d"]) for r in after] == [
        ("2024-01-01", "12", "12"), ("2024-01-02", "12", "12"), ("2024-01-03", "12", "12")]
    assert scalar(lake, "SELECT sum(v) FROM pt") == str(sum(range(36)) * 2)
    cp = harness.run(["compact", "missing", "--lake", str(lake)], check=False)
    assert cp.returncode == 1 and "no table missing" in cp.stderr


def test_replay_dead_letter_once(brokers, tmp_path):
    topic = topic_name()
    fixed = topic_name("fixed")
    lake = tmp_path / "lake"
    produce(brokers, topic, ['{"event_type":"a"}', "not json", "[1]"], key="k1")
    land(brokers, lake, topic)
    assert scalar(lake, f'SELECT count(*) FROM "{topic}_dead_letter"') == "2"
    cp = harness.run(["replay-dead-letter", "--lake", str(lake), "--table", topic, "--brokers", brokers,
                      "--topic", fixed])
    assert cp.stdout.strip() == (f"replayed 2 dead letters from {topic}_dead_letter to topic {fixed} "
                                 "(0 already replayed before)")
    out = harness.kcat(["-C", "-b", brokers, "-t", fixed, "-o", "beginning", "-e", "-f", "%k=%s\n"])
    assert sorted(out.stdout.decode().splitlines()) == sorted(["k1=not json", "k1=[1]"])
    cp = harness.run(["replay-dead-letter", "--lake", str(lake), "--table", topic, "--brokers", brokers,
                      "--topic", fixed])
    assert cp.stdout.strip() == f"nothing to replay in {topic}_dead_letter (2 rows already replayed)"
    # Replayed to its source topic, a still-bad value lands again as a new dead letter.
    produce(brokers, topic, ["{broken"])
    land(brokers, lake, topic, "--mode", "append", "--from", "3")
    cp = harness.run(["replay-dead-letter", "--lake", str(lake), "--table", topic, "--brokers", brokers])
    assert cp.stdout.startswith("replayed 1 dead letters") and "to their source topics" in cp.stdout
    land(brokers, lake, topic, "--mode", "append", "--from", "4")
    rows = query(lake, f'SELECT _offset, raw FROM "{topic}_dead_letter" ORDER BY _offset')
    assert [(r["_offset"], r["raw"]) for r in rows] == [("1", "not json"), ("2", "[1]"), ("3", "{broken"),
                                                         ("4", "{broken")]
    cp = harness.run(["replay-dead-letter", "--lake", str(lake), "--table", "nope", "--brokers", brokers],
                     check=False)
    assert cp.returncode == 1 and "no dead-letter table" in cp.stderr


def test_progress_bar_only_on_a_terminal(brokers, tmp_path):
    import pty
    import subprocess
    topic = topic_name()
    produce(brokers, topic, game_events(3000))
    master, slave = pty.openpty()
    cp = subprocess.run([harness.BIN, "land", "--brokers", brokers, "--lake", str(tmp_path / "a"), "--topic", topic],
                        stdout=subprocess.PIPE, stderr=slave, timeout=60)
    os.close(slave)
    tty = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        tty += chunk
    os.close(master)
    assert cp.returncode == 0
    assert b"/3000 offsets" in tty and b"ev/s" in tty and tty.endswith(b"\r\x1b[K")
    assert cp.stdout.decode().startswith("landed 3000 events")
    plain = land(brokers, tmp_path / "b", topic)
    assert "/3000 offsets" not in plain.stderr and "ev/s" not in plain.stderr  # no progress bar
    assert plain.stdout.startswith("landed 3000 events")


def test_version_names_duckdb_and_librdkafka():
    out = harness.run(["--version"]).stdout
    assert re.match(r"eventlake \d+\.\d+\.\d+ \(DuckDB v\d+\.\d+\.\d+, librdkafka \d+\.\d+\.\d+\)$", out.strip()), out
