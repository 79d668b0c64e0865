"""The lander's dedup window: an event whose id (the collector's event_id, i.e. Segment's
messageId) was landed within the window is dropped, not landed again, across batch runs, follow
restarts and within one batch. The log may hold an event twice (a client retried a request after a
collector crash); the lake holds it once."""
import signal

import harness
from harness import produce, query, topic_name, wait_until


def ev(event_id, **extra):
    return {"event_type": "track", "event_id": event_id, **extra}


def ids(lake, table):
    return [r["event_id"] for r in query(lake, f'SELECT event_id FROM "{table}" ORDER BY _offset')]


def land(brokers, lake, topic, *extra):
    return harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, *extra]).stdout


def test_ids_landed_before_are_dropped_in_every_mode(brokers, procs, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, [ev("a"), ev("b"), ev("a"), ev("c")])  # a retried within one batch
    out = land(brokers, lake, topic)
    assert "landed 3 events" in out and "1 duplicates dropped" in out, out
    assert ids(lake, topic) == ["a", "b", "c"]
    out = land(brokers, lake, topic)  # an overwrite lands the range again: the lake held is no reason to drop
    assert "landed 3 events" in out and "1 duplicates dropped" in out, out
    assert ids(lake, topic) == ["a", "b", "c"]
    produce(brokers, topic, [ev("b"), ev("d")])  # b retried after it landed
    out = land(brokers, lake, topic, "--mode", "append")
    assert "landed 1 events" in out and "1 duplicates dropped" in out, out
    assert ids(lake, topic) == ["a", "b", "c", "d"]
    assert ids(lake, f"{topic}_track") == ["a", "b", "c", "d"]
    # A follow lander starts with the ids the lake holds.
    produce(brokers, topic, [ev("d"), ev("e"), ev("c")])
    lander = procs.start(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--follow",
                          "--flush-ms", "100"], "follow")
    wait_until(lambda: "e" in ids(lake, topic), 30, "event e")
    produce(brokers, topic, [ev("e"), ev("f")])
    wait_until(lambda: "f" in ids(lake, topic), 30, "event f")
    assert lander.stop(signal.SIGTERM) == 0, lander.output()
    assert ids(lake, topic) == ["a", "b", "c", "d", "e", "f"]
    # Events without the field, and ids that are not strings, are never dropped.
    produce(brokers, topic, [{"event_type": "track"}, {"event_type": "track"}, ev(7), ev(7)])
    out = land(brokers, lake, topic, "--mode", "append")
    assert "landed 4 events" in out, out


def test_dedup_can_be_turned_off_and_is_refused_with_a_job(brokers, tmp_path):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, [ev("a"), ev("a")])
    out = land(brokers, lake, topic, "--dedup-field", "none")
    assert "landed 2 events" in out, out
    job = tmp_path / "job.toml"
    job.write_text(f'[source]\ntopic = "{topic}"\n[[output]]\ntable = "t"\n')
    cp = harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--job", str(job), "--dedup-field", "id"],
                     check=False)
    assert cp.returncode == 2 and "--dedup-field" in cp.stderr, cp.stderr
    cp = harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic,
                      "--dedup-window-ms", "0"], check=False)
    assert cp.returncode == 2 and "--dedup-window-ms" in cp.stderr, cp.stderr
