"""The lake's format: this eventlake lands lake format 2 (each event once, in its type's folder of the
topic's table), refuses a lake of format 1 naming `eventlake convert`, converts one without losing or
doubling an event, and refuses a lake written by a newer eventlake."""
import json

import harness
from harness import land, produce, query, scalar, topic_name


def write_format_1_lake(lake, topic, events):
    """A lake as format 1 left it: the topic's table with every event (and its event_type column),
    one table folder per event type holding those events again, and the progress records."""
    rows = ", ".join(
        f"('{topic}', 0, {i}, TIMESTAMP '2024-01-01 00:00:00', NULL, "
        f"{'NULL' if e.get('event_type') is None else repr(e['event_type'])}, {e['n']})"
        for i, e in enumerate(events))
    values = ("(SELECT _topic, _partition::INTEGER AS _partition, _offset::BIGINT AS _offset, _timestamp, "
              "_key::VARCHAR AS _key, event_type, n::BIGINT AS n "
              f"FROM (VALUES {rows}) AS t(_topic, _partition, _offset, _timestamp, _key, event_type, n))")
    last = len(events) - 1
    statements = [f"COPY (SELECT * FROM {values}) TO '{lake}/{topic}/{topic}+0+0-{last}.parquet' (FORMAT parquet)"]
    for t in sorted({e["event_type"] for e in events if e.get("event_type")}):
        statements.append(f"COPY (SELECT * FROM {values} WHERE event_type = '{t}') "
                          f"TO '{lake}/{topic}_{t}/{topic}+0+0-{last}.parquet' (FORMAT parquet)")
    for d in [lake / topic] + [lake / f"{topic}_{t}" for t in {e.get("event_type") for e in events} if t]:
        d.mkdir(parents=True, exist_ok=True)
    harness.run(["query", "--lake", str(lake), "; ".join(statements)])
    (lake / "_progress" / topic).mkdir(parents=True)
    (lake / "_progress" / topic / "0.next").write_text(f"{len(events)}\n")


def test_format_1_lake_is_refused_then_converted_and_landing_goes_on(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    events = [{"event_type": "a", "n": 0}, {"event_type": "b", "n": 1}, {"event_type": "a", "n": 2},
              {"n": 3}, {"event_type": "a", "n": 4}, {"event_type": "b", "n": 5}]
    produce(brokers, topic, [json.dumps(e) for e in events])
    write_format_1_lake(lake, topic, events[:4])

    cp = land(brokers, lake, topic, "--mode", "append", check=False)
    assert cp.returncode == 1, cp.stdout + cp.stderr
    assert "lake format 1" in cp.stderr and f"eventlake convert --lake {lake}" in cp.stderr, cp.stderr
    assert not (lake / "_format").exists()

    cp = harness.run(["convert", "--lake", str(lake)])
    assert cp.stdout.startswith(f"converted {lake} from lake format 1 to 2: 1 topic tables ({topic}), 4 rows"), cp.stdout
    assert (lake / "_format").read_text().strip() == "2"
    assert sorted(p.name for p in lake.iterdir() if not p.name.startswith("_")) == [topic]
    assert (lake / topic / "event_type=a" / f"{topic}+0+0-3.parquet").exists()
    assert (lake / topic / "event_type=__HIVE_DEFAULT_PARTITION__" / f"{topic}+0+0-3.parquet").exists()
    assert not list((lake / topic).glob("*.parquet"))

    cp = land(brokers, lake, topic, "--mode", "append")
    assert cp.stdout.startswith(f"landed 2 events from {topic}[4..5]"), cp.stdout
    got = query(lake, f'SELECT _offset, event_type, n FROM "{topic}" ORDER BY _offset')
    assert [(int(r["_offset"]), r["event_type"] or None, int(r["n"])) for r in got] == [
        (i, e.get("event_type"), e["n"]) for i, e in enumerate(events)]
    assert scalar(lake, f'SELECT count(*) FROM "{topic}" WHERE event_type IS NULL') == "1"
    assert [int(r["n"]) for r in query(lake, f'SELECT n FROM "{topic}_a" ORDER BY n')] == [0, 2, 4]
    assert [int(r["n"]) for r in query(lake, f'SELECT n FROM "{topic}_b" ORDER BY n')] == [1, 5]
    # DuckDB alone reads the topic's table with its event types from the folders.
    raw = query(lake, f"SELECT event_type, count(*) AS c FROM read_parquet('{lake}/{topic}/**/*.parquet', "
                      "hive_partitioning=true) GROUP BY 1 ORDER BY 1")
    assert [(r["event_type"], r["c"]) for r in raw] == [("__HIVE_DEFAULT_PARTITION__", "1"), ("a", "3"), ("b", "2")]

    cp = harness.run(["schema", topic, "--lake", str(lake)])
    assert "event types (event_type):" in cp.stdout
    assert f"    a  table {topic}_a  v1" in cp.stdout and "    (none)  table -  v1" in cp.stdout, cp.stdout
    cp = harness.run(["schema", f"{topic}_a", "--lake", str(lake)])
    assert "    n BIGINT" in cp.stdout and "event_type" not in cp.stdout, cp.stdout

    cp = harness.run(["convert", "--lake", str(lake)])
    assert cp.stdout.strip() == f"{lake} is already in lake format 2"


def test_a_newer_lake_format_is_refused_by_every_command(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, ['{"event_type":"a"}'])
    land(brokers, lake, topic)
    assert (lake / "_format").read_text().strip() == "2"
    (lake / "_format").write_text("3\n")
    for args in (["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic],
                 ["query", "--lake", str(lake), f'SELECT count(*) FROM "{topic}"'],
                 ["schema", topic, "--lake", str(lake)],
                 ["ddl", "--lake", str(lake), topic],
                 ["compact", topic, "--lake", str(lake)],
                 ["replay-dead-letter", "--lake", str(lake), "--table", topic, "--brokers", brokers],
                 ["convert", "--lake", str(lake)]):
        cp = harness.run(args, check=False)
        assert cp.returncode != 0, args
        assert "lake format 3, written by a newer eventlake" in cp.stderr, (args, cp.stderr)
