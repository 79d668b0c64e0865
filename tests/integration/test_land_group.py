"""Several `eventlake land --follow` processes on one topic and one lake: in a consumer group they
split the partitions and hand them over on leave, crash and join; without a group each reads every
partition and the lake's publish check keeps each event landed once. Either way, checked by
(_topic, _partition, _offset) against what the broker acknowledged."""
import random
import re
import signal
import time
import uuid

import harness
from harness import wait_until
from test_land_crash import (PARTITIONS, Producer, assert_exactly_once, create_topic, follow_args,
                             landed_keys, seed_from_env, wait_for_count)


def assignments(proc):
    """The partitions of each `landing N partition(s)` line of a lander's log, in order."""
    return [set(int(p) for p in m.group(1).split(",") if p)
            for m in re.finditer(r"landing \d+ partition\(s\) of \S+: ([\d,]*)", proc.output())]


def split_between(*landers):
    """Whether the landers' latest assignments are non-empty, disjoint and cover every partition."""
    latest = [assignments(p) for p in landers]
    if not all(latest):
        return False
    sets = [a[-1] for a in latest]
    return all(sets) and sum(len(s) for s in sets) == PARTITIONS and set().union(*sets) == set(range(PARTITIONS))


def test_landers_in_one_group_split_partitions_and_land_each_event_once(procs, tmp_path):
    rng = random.Random(seed_from_env())
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"grp_{uuid.uuid4().hex[:8]}"
    group = f"landers_{uuid.uuid4().hex[:6]}"
    create_topic(brokers, topic)
    lake = tmp_path / "lake"
    args = lambda name: procs.start(follow_args(brokers, lake, topic, "--group", group, "--flush-ms", "100"), name)
    producer = Producer(brokers, topic, rng)
    producer.start()
    try:
        a = args("lander-a")
        b = args("lander-b")
        wait_until(lambda: split_between(a, b), 30, "two landers to split the partitions\n" + a.output() + b.output())
        time.sleep(rng.uniform(0.5, 1.5))
        assert a.stop(signal.SIGTERM) == 0, a.output()  # a clean leave: b takes over at once
        wait_until(lambda: split_between(b), 15, "b to take every partition\n" + b.output())
        c = args("lander-c")
        wait_until(lambda: split_between(b, c), 30, "b and c to split\n" + b.output() + c.output())
        time.sleep(rng.uniform(0.2, 1.0))
        b.stop(signal.SIGKILL)  # c gets b's partitions once the broker expires b (session timeout 10 s)
        wait_until(lambda: split_between(c), 30, "c to take every partition after b was killed\n" + c.output())
    finally:
        producer.stop()
    assert len(producer.acked) > 200
    assert wait_for_count(lake, topic, len(producer.acked)), c.output()
    out = harness.run(["groups", "describe", "--brokers", brokers, "--group", group], timeout=30).stdout
    rows = {int(r[1]): r for r in (line.split() for line in out.splitlines()) if r and r[0] == topic}
    assert sorted(rows) == list(range(PARTITIONS)), out
    for p, row in rows.items():
        assert int(row[2]) == int(row[3]) and int(row[4]) == 0, f"partition {p} has lag:\n{out}"
    assert c.stop(signal.SIGTERM) == 0, c.output()
    assert_exactly_once(lake, topic, producer.acked)
    assert harness.staging_left(lake, topic) == []


class BadRecords:
    """Produces records that are not JSON to one partition (which then holds only bad records)."""

    def __init__(self, brokers, topic, partition):
        from confluent_kafka import Producer as KafkaProducer
        self.topic, self.partition, self.n = topic, partition, 0
        self.producer = KafkaProducer({"bootstrap.servers": brokers, "acks": "all", "linger.ms": 2})
        self.acked = set()

    def send(self, count):
        for _ in range(count):
            self.producer.produce(self.topic, f"not json {self.n}".encode(), partition=self.partition,
                                  on_delivery=lambda err, msg: err is None and self.acked.add(
                                      (msg.topic(), msg.partition(), msg.offset())))
            self.n += 1
        self.producer.flush(10)


def test_landers_without_a_group_on_one_lake_still_land_each_event_once(procs, tmp_path):
    rng = random.Random(seed_from_env())
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"race_{uuid.uuid4().hex[:8]}"
    create_topic(brokers, topic, partitions=PARTITIONS + 1)  # the last one gets only bad records
    lake = tmp_path / "lake"
    producer = Producer(brokers, topic, rng)
    producer.start()
    bad = BadRecords(brokers, topic, PARTITIONS)
    landers = []
    try:
        for i in range(6):
            bad.send(rng.randint(1, 20))
            flush = rng.choice(["30", "100", "250"])
            landers.append(procs.start(follow_args(brokers, lake, topic, "--flush-ms", flush), f"race{i}"))
            time.sleep(rng.uniform(0.3, 1.0))
            if i % 2 == 1:  # keep two or three running; kill one of them at a random moment
                victim = landers.pop(rng.randrange(len(landers)))
                victim.stop(rng.choice([signal.SIGKILL, signal.SIGTERM]))
    finally:
        producer.stop()
    assert wait_for_count(lake, topic, len(producer.acked)), "\n".join(p.output() for p in landers)
    dropped = sum(p.output().count("dropping this batch") for p in landers)
    print(f"batches dropped because another lander landed them first: {dropped}")
    wait_until(lambda: len(landed_keys(lake, f"{topic}_dead_letter")) >= len(bad.acked), 30, "dead letters")
    for p in landers:
        assert p.stop(signal.SIGTERM) == 0, p.output()
    assert_exactly_once(lake, topic, producer.acked)
    dead = landed_keys(lake, f"{topic}_dead_letter")
    assert len(dead) == len(set(dead)), f"{len(dead) - len(set(dead))} dead letters landed twice"
    assert set(dead) == bad.acked
    # without --group, landed offsets are committed to eventlake-land-<topic>-<lake hash> for lag tools
    group = harness.default_group(topic, lake)
    assert all(f"consumer group {group}" in p.output() for p in landers)
    out = harness.run(["groups", "describe", "--brokers", brokers, "--group", group], timeout=30).stdout
    rows = {int(r[1]): r for r in (line.split() for line in out.splitlines()) if r and r[0] == topic}
    assert sorted(rows) == list(range(PARTITIONS + 1)), out
    assert all(int(r[4]) == 0 for r in rows.values()), out
