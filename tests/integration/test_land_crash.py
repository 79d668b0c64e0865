"""Exactly-once proof for `eventlake land`: SIGKILL at random moments, restart, and check by
(_topic, _partition, _offset) that every acknowledged event is in the lake exactly once.

The kill schedule is random; its seed is printed and can be fixed with EVENTLAKE_CRASH_SEED=N.
EVENTLAKE_CRASH_ROUNDS=N changes the number of kills of the follow loop.
"""
import json
import os
import random
import signal
import threading
import time
import uuid


import harness
from harness import query

PARTITIONS = 3


def seed_from_env():
    seed = int(os.environ.get("EVENTLAKE_CRASH_SEED", random.randrange(1 << 30)))
    print(f"kill schedule seed: {seed} (rerun with EVENTLAKE_CRASH_SEED={seed})")
    return seed


def create_topic(brokers, topic, partitions=PARTITIONS):
    harness.create_topic(brokers, topic, partitions)


def landed_keys(lake, table):
    """(_topic, _partition, _offset) of every row of `table`, as a list (duplicates kept)."""
    if not os.path.isdir(lake / table) and (not os.path.isdir(lake) or
                                            table not in harness.reader_tables(lake, table)):
        return []  # neither a table folder nor an event type's table
    rows = query(lake, f'SELECT _topic, _partition, _offset FROM "{table}"')
    return [(r["_topic"], int(r["_partition"]), int(r["_offset"])) for r in rows]


class Producer:
    """Produces JSON events (acks=all) on a thread; remembers what the broker acknowledged."""

    def __init__(self, brokers, topic, rng):
        from confluent_kafka import Producer as KafkaProducer
        self.topic = topic
        self.rng = random.Random(rng.random())
        self.producer = KafkaProducer({"bootstrap.servers": brokers, "acks": "all",
                                       "linger.ms": 2, "enable.idempotence": False})
        self.acked = {}  # (topic, partition, offset) -> event_type
        self.errors = []
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _report(self, err, msg, event_type):
        if err is not None:
            self.errors.append(str(err))
        else:
            self.acked[(msg.topic(), msg.partition(), msg.offset())] = event_type

    def send(self, event_type, i):
        value = json.dumps({"event_type": event_type, "i": i, "item": {"id": i, "w": i * 0.5}})
        self.producer.produce(self.topic, value.encode(), partition=i % PARTITIONS,
                              on_delivery=lambda err, msg, t=event_type: self._report(err, msg, t))

    def _run(self):
        i = 0
        while not self.stop_flag.is_set():
            for _ in range(self.rng.randint(1, 40)):
                self.send(self.rng.choice(["buy", "view", "chat"]), i)
                i += 1
            self.producer.poll(0)
            time.sleep(self.rng.uniform(0.0, 0.05))
        self.producer.flush(15)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stop_flag.set()
        self.thread.join(30)
        assert not self.errors, self.errors[:5]


def assert_exactly_once(lake, topic, acked):
    keys = landed_keys(lake, topic)
    dups = len(keys) - len(set(keys))
    missing = set(acked) - set(keys)
    extra = set(keys) - set(acked)
    assert dups == 0, f"{dups} duplicated events in {topic}"
    assert not missing, f"{len(missing)} acknowledged events missing, e.g. {sorted(missing)[:5]}"
    assert not extra, f"{len(extra)} events that were never acknowledged, e.g. {sorted(extra)[:5]}"
    for event_type in set(acked.values()):
        want = {k for k, t in acked.items() if t == event_type}
        got = landed_keys(lake, f"{topic}_{event_type}")
        assert len(got) == len(set(got)), f"duplicates in {topic}_{event_type}"
        assert set(got) == want, f"{topic}_{event_type}: {len(set(got))} of {len(want)} events"


def wait_for_count(lake, topic, want, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(landed_keys(lake, topic)) >= want:
            return True
        time.sleep(0.3)
    return False


def follow_args(brokers, lake, topic, *extra):
    return ["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--follow", *extra]


def test_sigkill_follow_at_random_moments_keeps_exactly_once(procs, tmp_path):
    rng = random.Random(seed_from_env())
    rounds = int(os.environ.get("EVENTLAKE_CRASH_ROUNDS", "14"))
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"crash_{uuid.uuid4().hex[:8]}"
    create_topic(brokers, topic)
    lake = tmp_path / "lake"
    producer = Producer(brokers, topic, rng)
    producer.start()
    try:
        for r in range(rounds):
            flush_ms = rng.choice(["20", "100", "300"])
            lander = procs.start(follow_args(brokers, lake, topic, "--flush-ms", flush_ms), f"follow{r}")
            time.sleep(rng.uniform(0.05, 1.6))
            lander.stop(signal.SIGKILL)
    finally:
        producer.stop()
    lander = procs.start(follow_args(brokers, lake, topic, "--flush-ms", "100"), "follow-final")
    assert wait_for_count(lake, topic, len(producer.acked)), lander.output()
    assert lander.stop(signal.SIGTERM) == 0, lander.output()
    assert len(producer.acked) > 200
    assert_exactly_once(lake, topic, producer.acked)
    assert harness.staging_left(lake, topic) == []


def test_sigkill_batch_land_then_rerun(procs, tmp_path):
    rng = random.Random(seed_from_env())
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"crashb_{uuid.uuid4().hex[:8]}"
    create_topic(brokers, topic)
    producer = Producer(brokers, topic, rng)
    for i in range(20000):
        producer.send(rng.choice(["buy", "view"]), i)
        if i % 1000 == 0:
            producer.producer.poll(0)
    producer.producer.flush(30)
    assert len(producer.acked) == 20000
    for mode in ["overwrite", "append"]:
        lake = tmp_path / f"lake-{mode}"
        args = ["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, "--mode", mode]
        for attempt in range(3):
            batch = procs.start(args, f"batch-{mode}{attempt}")
            time.sleep(rng.uniform(0.1, 2.5))
            batch.stop(signal.SIGKILL)
        harness.run(args, timeout=90)
        assert_exactly_once(lake, topic, producer.acked)


def test_acknowledged_event_is_queryable_within_a_second(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"latency_{uuid.uuid4().hex[:8]}"
    create_topic(brokers, topic, partitions=1)
    lake = tmp_path / "lake"
    lander = procs.start(follow_args(brokers, lake, topic), "follow")  # default --flush-ms
    from confluent_kafka import Producer as KafkaProducer
    producer = KafkaProducer({"bootstrap.servers": brokers, "acks": "all", "linger.ms": 0})
    worst = 0.0
    for i in range(3):
        acked = []
        producer.produce(topic, json.dumps({"event_type": "ping", "i": i}).encode(),
                         on_delivery=lambda err, msg: acked.append((err, time.monotonic())))
        producer.flush(10)
        assert acked and acked[0][0] is None
        t_ack = acked[0][1]
        seen = None
        while time.monotonic() - t_ack < 5:
            started = time.monotonic()
            if os.path.isdir(lake / topic) and len(landed_keys(lake, topic)) == i + 1:
                seen = started
                break
            time.sleep(0.02)
        assert seen is not None, lander.output()
        worst = max(worst, seen - t_ack)
        time.sleep(0.3)
    print(f"worst ack-to-visible latency: {worst:.3f} s")
    assert worst <= 1.0, f"an acknowledged event became visible only after {worst:.3f} s"
    assert lander.stop(signal.SIGTERM) == 0


def test_follow_rotates_by_rows_before_the_flush_interval(procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"rotate_{uuid.uuid4().hex[:8]}"
    create_topic(brokers, topic, partitions=1)
    lake = tmp_path / "lake"
    lander = procs.start(follow_args(brokers, lake, topic, "--flush-ms", "600000", "--max-rows", "5",
                                     "--max-bytes", "100000000"), "follow")
    lines = "".join(json.dumps({"event_type": "r", "i": i}) + "\n" for i in range(20)).encode()
    harness.kcat(["-P", "-b", brokers, "-t", topic, "-p", "0"], input=lines)
    assert wait_for_count(lake, topic, 20, timeout=20), lander.output()
    files = [f for _, _, names in os.walk(lake / topic) for f in names if f.endswith(".parquet")]
    assert len(files) >= 4 and all(int(f.split("+")[2].split("-")[1].split(".")[0]) -
                                   int(f.split("+")[2].split("-")[0]) < 5 for f in files), files
    assert lander.stop(signal.SIGTERM) == 0
    assert sorted(k[2] for k in landed_keys(lake, topic)) == list(range(20))
