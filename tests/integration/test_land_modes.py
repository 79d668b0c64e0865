"""`eventlake land` write modes against the real broker: a batch append lands each offset once
(resuming where the lake ends, refusing explicit ranges the lake already holds, surviving SIGKILL),
job files take --from/--to/--mode from the command line, options that would do nothing are
refused, and each lake gets its own default consumer group."""
import json
import os
import pathlib
import signal

import pytest

import harness
from harness import create_topic, produce, query, scalar, topic_name, wait_until

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
EXTRACT = EXAMPLES / "extract_events.toml"


def land(brokers, lake, *args, check=True):
    return harness.run(["land", "--brokers", brokers, "--lake", str(lake), *args], timeout=120, check=check)


def events(start, count):
    return [json.dumps({"event_type": "e", "i": i}) for i in range(start, start + count)]


def offsets(lake, table):
    return [int(r["_offset"]) for r in query(lake, f'SELECT _offset FROM "{table}" ORDER BY _offset')]


def counts(lake, table):
    """(count(*), count(DISTINCT _offset)) of a table."""
    row = query(lake, f'SELECT count(*) AS n, count(DISTINCT _offset) AS d FROM "{table}"')[0]
    return int(row["n"]), int(row["d"])


def data_files(lake, table):
    return sorted(p.name for p in (lake / table).rglob("*.parquet") if not any(
        part.startswith(("_", ".")) for part in p.relative_to(lake / table).parts))


def test_append_twice_over_a_growing_topic_lands_each_offset_once(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, events(0, 1))
    first = land(brokers, lake, "--topic", topic, "--mode", "append")
    assert first.stdout.startswith(f"landed 1 events from {topic}[0..0]"), first.stdout
    assert "resumed" not in first.stdout
    produce(brokers, topic, events(1, 1))
    second = land(brokers, lake, "--topic", topic, "--mode", "append")
    assert second.stdout.startswith(f"landed 1 events from {topic}[1..1]"), second.stdout
    assert "append resumed where the lake ended (offset 1)" in second.stdout
    for table in (topic, f"{topic}_e"):
        assert counts(lake, table) == (2, 2), table
    assert data_files(lake, topic) == [f"{topic}+0+0-0.parquet", f"{topic}+0+1-1.parquet"]
    third = land(brokers, lake, "--topic", topic, "--mode", "append")
    assert third.stdout.strip() == (f"nothing new to append: the lake already holds every event of {topic} "
                                    "in the range (it ends at offset 2)")
    assert counts(lake, topic) == (2, 2)


def test_append_resumes_each_partition_where_the_lake_ends(brokers, tmp_path):
    topic = topic_name()
    create_topic(brokers, topic, partitions=2)
    lake = tmp_path / "lake"
    produce(brokers, topic, events(0, 3), partition=0)
    produce(brokers, topic, events(3, 2), partition=1)
    land(brokers, lake, "--topic", topic, "--mode", "append")
    produce(brokers, topic, events(5, 4), partition=0)  # partition 1 gets nothing new
    cp = land(brokers, lake, "--topic", topic, "--mode", "append")
    assert f"from {topic}[3..6]" in cp.stdout and "(offsets 0:3, 1:2)" in cp.stdout, cp.stdout
    rows = query(lake, f'SELECT count(*) AS n, count(DISTINCT (_partition, _offset)) AS d, '
                       f'count(DISTINCT i) AS i FROM "{topic}"')[0]
    assert rows == {"n": "9", "d": "9", "i": "9"}


def test_explicit_append_range_overlapping_the_lake_is_refused(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, events(0, 5))
    land(brokers, lake, "--topic", topic)
    produce(brokers, topic, events(5, 3))
    for extra in (["--from", "3"], ["--from", "0", "--to", "2"], ["--from", "4", "--to", "6"]):
        cp = land(brokers, lake, "--topic", topic, "--mode", "append", *extra, check=False)
        assert cp.returncode == 1, (extra, cp.stdout, cp.stderr)
        assert (f"table {topic} already holds offsets 0..4 of topic {topic} partition 0: append lands each "
                f"offset once; give --from 5 to land after them, or --mode overwrite") in cp.stderr, cp.stderr
        assert cp.stdout == ""
    assert offsets(lake, topic) == [0, 1, 2, 3, 4]
    assert offsets(lake, f"{topic}_e") == [0, 1, 2, 3, 4]


def test_explicit_append_range_lands_exactly_that_range(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, events(0, 10))
    land(brokers, lake, "--topic", topic, "--from", "0", "--to", "3")
    cp = land(brokers, lake, "--topic", topic, "--mode", "append", "--from", "6", "--to", "8")
    assert cp.stdout.startswith(f"landed 2 events from {topic}[6..7]") and "resumed" not in cp.stdout
    assert offsets(lake, topic) == [0, 1, 2, 6, 7]
    cp = land(brokers, lake, "--topic", topic, "--mode", "append")  # from earliest: after the lake's end
    assert "append resumed where the lake ended (offset 8)" in cp.stdout, cp.stdout
    assert offsets(lake, topic) == [0, 1, 2, 6, 7, 8, 9]
    land(brokers, lake, "--topic", topic, "--mode", "append", "--from", "3", "--to", "6")  # the gap
    assert offsets(lake, topic) == list(range(10))
    assert counts(lake, f"{topic}_e") == (10, 10)


def test_overwrite_rerun_replaces_what_appends_landed(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, events(0, 4))
    land(brokers, lake, "--topic", topic, "--mode", "append")
    produce(brokers, topic, events(4, 3))
    land(brokers, lake, "--topic", topic, "--mode", "append")
    assert len(data_files(lake, topic)) == 2
    cp = land(brokers, lake, "--topic", topic, "--mode", "overwrite")
    assert cp.stdout.startswith(f"landed 7 events from {topic}[0..6]") and "resumed" not in cp.stdout
    assert counts(lake, topic) == (7, 7)
    assert data_files(lake, topic) == [f"{topic}+0+0-6.parquet"]
    assert data_files(lake, f"{topic}/event_type=e") == [f"{topic}+0+0-6.parquet"]
    cp = land(brokers, lake, "--topic", topic, "--mode", "error", check=False)
    assert cp.returncode == 1 and f"table {topic} already exists" in cp.stderr


def staged_batch(lake, topic):
    """Whether a lander has started reading records into a batch (its staging folder exists)."""
    return any(d.is_dir() and not d.name.endswith("-spill") for d in (lake / "_staging" / topic).glob(f"{topic}-*"))


def staged_tables(lake, topic):
    """Whether a lander is writing Parquet files into its batch's staging folder."""
    return any((lake / "_staging" / topic).glob(f"{topic}-*/{topic}*/**/*.parquet"))


def test_sigkill_during_batch_append_then_rerun_lands_each_offset_once(brokers, procs, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    gen = harness.run(["generate", "game-events", "--count", "60000", "--seed", "3"]).stdout.splitlines()
    produce(brokers, topic, gen[:1000])
    land(brokers, lake, "--topic", topic, "--mode", "append")
    produce(brokers, topic, gen[1000:])
    args = ["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--mode", "append"]
    reading = procs.start(args, "append-killed-reading")
    wait_until(lambda: staged_batch(lake, topic) or reading.popen.poll() is not None, 60, "a staged batch")
    assert reading.stop(signal.SIGKILL) == -signal.SIGKILL, reading.output()
    assert counts(lake, topic) == (1000, 1000)  # killed before it published anything
    writing = procs.start(args, "append-killed-writing")
    wait_until(lambda: staged_tables(lake, topic) or writing.popen.poll() is not None, 60, "staged tables")
    writing.stop(signal.SIGKILL)  # mid-write or mid-publish, or already done on a fast machine
    cp = harness.run(args, timeout=120)
    assert cp.stdout.startswith("landed ") or cp.stdout.startswith("nothing new to append"), cp.stdout
    tables = harness.reader_tables(lake, topic)
    assert len(tables) >= 3, tables  # the topic's table and one per event type
    for table in tables:
        n, distinct = counts(lake, table)
        assert n == distinct, f"{n - distinct} offsets twice in {table}"
    assert counts(lake, topic) == (60000, 60000)
    assert int(scalar(lake, f'SELECT max(_offset) FROM "{topic}"')) == 59999
    assert not list((lake / "_staging" / topic).glob(f"{topic}-*")), "staging left behind"


def test_two_batch_appends_at_once_land_each_offset_once(brokers, procs, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    gen = harness.run(["generate", "game-events", "--count", "60010", "--seed", "4"]).stdout.splitlines()
    produce(brokers, topic, gen[:60000])
    args = ["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--mode", "append"]
    first = procs.start(args, "append-first")
    wait_until(lambda: staged_batch(lake, topic) or first.popen.poll() is not None, 60, "a staged batch")
    produce(brokers, topic, gen[60000:])  # the second run's range is longer: the same files would not replace
    second = procs.start(args, "append-second")
    outcomes = []
    for p in (first, second):
        p.popen.wait(120)
        outcomes.append((p.stop(), p.output()))
    landed = [out for rc, out in outcomes if rc == 0 and "\nlanded " in "\n" + out]
    assert len(landed) >= 1, outcomes
    for rc, out in outcomes:
        assert rc == 0 or (rc == 1 and "another lander landed offsets of" in out and "run again" in out), out
    n, distinct = counts(lake, topic)
    assert n == distinct, f"{n - distinct} offsets landed twice"
    harness.run(args, timeout=120)  # whatever is missing
    assert counts(lake, topic) == (60010, 60010)


def test_job_takes_from_to_and_mode_from_the_command_line(brokers, tmp_path):
    topic = topic_name("game")
    lake = tmp_path / "lake"
    produce(brokers, topic, harness.run(["generate", "game-events", "--count", "500", "--seed", "9"]).stdout.splitlines())
    job = ["--job", str(EXTRACT), "--topic", topic]
    cp = land(brokers, lake, *job, "--to", "200")
    assert cp.stdout.startswith(f"landed 200 events from {topic}[0..199]"), cp.stdout
    assert scalar(lake, "SELECT count(*) || ' ' || count(DISTINCT _offset) || ' ' || max(_offset) "
                        "FROM extracted_events") == "200 200 199"
    cp = land(brokers, lake, *job, "--mode", "append")  # the job's own range (to latest), appended
    assert "append resumed where the lake ended (offset 200)" in cp.stdout, cp.stdout
    assert counts(lake, "extracted_events") == (500, 500)
    cp = land(brokers, lake, *job, "--mode", "append")
    assert cp.stdout.startswith("nothing new to append"), cp.stdout
    cp = land(brokers, lake, *job, "--mode", "append", "--from", "100", "--to", "300", check=False)
    assert cp.returncode == 1, cp.stdout + cp.stderr
    assert f"job extract_events already holds offsets 0..499 of topic {topic} partition 0" in cp.stderr
    assert "--from 500" in cp.stderr
    cp = land(brokers, lake, *job, "--from", "100", "--to", "150")  # the job's mode: overwrite
    assert scalar(lake, "SELECT min(_offset) || '-' || max(_offset) || ' ' || count(*) "
                        "FROM extracted_events") == "100-149 50"


def test_job_file_in_append_mode_resumes_from_its_progress(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    job = tmp_path / "appender.toml"
    job.write_text(f"""
[source]
topic = "{topic}"
mode = "append"
[[output]]
table = "all_events"
[[output]]
table = "big"
sql = "SELECT i, _offset FROM source WHERE i >= 3"
""")
    produce(brokers, topic, events(0, 4))
    land(brokers, lake, "--job", str(job))
    produce(brokers, topic, events(4, 3))
    cp = land(brokers, lake, "--job", str(job))
    assert "append resumed where the lake ended (offset 4)" in cp.stdout, cp.stdout
    assert counts(lake, "all_events") == (7, 7)
    assert offsets(lake, "big") == [3, 4, 5, 6]
    assert sorted(p.name for p in (lake / "_jobs" / "appender").rglob("*.parquet")) == [
        f"{topic}+0+0-3.parquet", f"{topic}+0+4-6.parquet"]


FOLLOW_JOB = """
[source]
topic = "t"
follow = true
[[output]]
table = "x"
"""

REFUSED = [
    (["--topic", "t", "--max-rows", "10"], "--max-rows"),
    (["--topic", "t", "--max-bytes", "1000"], "--max-bytes"),
    (["--topic", "t", "--flush-ms", "300"], "--flush-ms"),  # the default value, given: still refused
    (["--topic", "t", "--follow", "--to", "5"], "--to"),
    (["--topic", "t", "--follow", "--mode", "overwrite"], "--mode overwrite"),
    (["--topic", "t", "--event-time-field", "ts"], "--event-time-field"),
    (["--topic", "t", "--partition-by", "_key", "--time-zone", "UTC"], "--time-zone"),
    (["--job", str(EXTRACT), "--partition-by", "dt"], "--partition-by"),
    (["--job", str(EXTRACT), "--event-type-field", "kind"], "--event-type-field"),
    (["--job", str(EXTRACT), "--max-rows", "5"], "--max-rows"),
    (["--job", str(EXTRACT), "--event-time-field", "ts"], "--event-time-field"),
    (["--job", "FOLLOW_JOB", "--to", "5"], "--to"),
]


@pytest.mark.parametrize("args,flag", REFUSED, ids=[" ".join(a[:1] + a[2:]) for a, _ in REFUSED])
def test_options_that_would_do_nothing_are_refused(tmp_path, args, flag):
    follow_job = tmp_path / "follow.toml"
    follow_job.write_text(FOLLOW_JOB)
    args = [str(follow_job) if a == "FOLLOW_JOB" else a for a in args]
    # No broker runs at this address: the options are refused before any connection.
    cp = harness.run(["land", "--brokers", "127.0.0.1:1", "--lake", str(tmp_path / "lake"), *args],
                     timeout=30, check=False)
    assert cp.returncode == 2, cp.stdout + cp.stderr
    assert cp.stderr.startswith(f"eventlake land: {flag} "), cp.stderr
    assert not (tmp_path / "lake").exists()


def test_batch_group_option_and_default_groups_per_lake(brokers, tmp_path):
    topic = topic_name("assessments")
    produce(brokers, topic, events(0, 6))
    job = tmp_path / f"{topic}.toml"  # a job named like the topic
    job.write_text(f'[source]\ntopic = "{topic}"\n[[output]]\ntable = "copy"\n')
    lake_a, lake_b, lake_c = tmp_path / "lake-a", tmp_path / "lake-b", tmp_path / "lake-c"
    plain = land(brokers, lake_a, "--topic", topic)
    by_job = land(brokers, lake_b, "--job", str(job))
    named = land(brokers, lake_c, "--topic", topic, "--group", f"mine-{topic}")
    group_a, group_b = harness.default_group(topic, lake_a), harness.default_group(topic, lake_b)
    assert group_a != group_b
    assert f"committed to consumer group {group_a}" in plain.stderr
    assert f"committed to consumer group {group_b}" in by_job.stderr
    assert f"committed to consumer group mine-{topic}" in named.stderr
    listed = harness.run(["groups", "list", "--brokers", brokers], timeout=30).stdout.split()
    assert {group_a, group_b, f"mine-{topic}"} <= set(listed), listed
    for group in (group_a, group_b, f"mine-{topic}"):
        out = harness.run(["groups", "describe", "--brokers", brokers, "--group", group], timeout=30).stdout
        rows = [line.split() for line in out.splitlines() if line.startswith(topic + " ")]
        assert len(rows) == 1 and rows[0][1:3] == ["0", "6"], out
