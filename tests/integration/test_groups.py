"""Consumer groups judged by real clients: kcat -G (librdkafka), kafka-python KafkaConsumer with a
group_id, confluent-kafka Consumer; rebalances on join, leave and a killed member; committed offsets
across a broker restart; `eventlake groups list|describe`."""
import json
import signal
import subprocess
import time


import harness
from harness import wait_until
from harness import kcat

PARTITIONS = 4
# A short initial rebalance delay keeps the tests quick; sessions use the smallest allowed timeout.
BROKER_ARGS = ("--partitions", str(PARTITIONS), "--group-initial-delay-ms", "100")
SESSION_MS = 6000


def start_broker(procs, tmp_path, name="broker"):
    return procs.broker(tmp_path / "data", name=name, extra=BROKER_ARGS)


def produce(brokers, topic, count):
    """`count` keyed messages spread over every partition; returns the values."""
    values = [f"v{i}" for i in range(count)]
    data = "".join(f"k{i}:{v}\n" for i, v in enumerate(values)).encode()
    kcat(["-P", "-b", brokers, "-t", topic, "-K:"], input=data, timeout=30)
    return values


def kp_consumer(brokers, group, **kw):
    from kafka import KafkaConsumer
    return KafkaConsumer(bootstrap_servers=brokers, group_id=group, auto_offset_reset="earliest",
                         session_timeout_ms=SESSION_MS, heartbeat_interval_ms=1000,
                         request_timeout_ms=SESSION_MS + 5000, **kw)


def drain(consumer, expected, timeout=20):
    """Polls until `expected` records arrived; returns them as (partition, offset, value)."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200).values():
            got.extend((r.partition, r.offset, r.value.decode()) for r in records)
    return got


def test_kcat_group_mode_consumes_everything_once(procs, tmp_path):
    _, brokers = start_broker(procs, tmp_path)
    values = produce(brokers, "kg", 40)
    args = ["-b", brokers, "-G", "kcat-group", "-X", "auto.offset.reset=earliest", "-e", "-f", "%s\\n",
            "-X", "auto.commit.interval.ms=100", "kg"]
    first = kcat(args, timeout=40).stdout.decode().split()
    assert sorted(first) == sorted(values)
    # Offsets were committed on close: the same group has nothing left to read.
    more = ["v-late-1", "v-late-2"]
    kcat(["-P", "-b", brokers, "-t", "kg", "-p", "0"], input="".join(m + "\n" for m in more).encode())
    second = kcat(args, timeout=40).stdout.decode().split()
    assert sorted(second) == more


class Poller:
    """Polls one KafkaConsumer on its own thread (a member blocks in poll() while its group
    rebalances, so two members in one thread would wait for each other) and keeps its assignment."""

    def __init__(self, consumer):
        import threading
        self.c = consumer
        self.assignment = set()
        self.records = 0
        self.stop_flag = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_flag:
            for recs in self.c.poll(timeout_ms=100).values():
                self.records += len(recs)
            self.assignment = {tp.partition for tp in self.c.assignment()}
        self.c.close()  # LeaveGroup

    def close(self):
        self.stop_flag = True
        self.thread.join(30)


def test_kafka_python_two_consumers_split_and_rebalance(procs, tmp_path):
    _, brokers = start_broker(procs, tmp_path)
    produce(brokers, "kp", 40)
    a = kp_consumer(brokers, "kp-group")
    a.subscribe(["kp"])
    pa = Poller(a)
    pb = None
    try:
        wait_until(lambda: pa.records == 40 and len(pa.assignment) == PARTITIONS, 20, "the first consumer to read all")
        b = kp_consumer(brokers, "kp-group")
        b.subscribe(["kp"])
        pb = Poller(b)
        wait_until(lambda: len(pa.assignment) == 2 and len(pb.assignment) == 2, 30,
                   "the two consumers to split the partitions")
        assert pa.assignment | pb.assignment == set(range(PARTITIONS))
        assert pb.records == 0, "auto-committed offsets: the newcomer has nothing to re-read"
        pb.close()  # LeaveGroup: the other member takes everything back at once
        wait_until(lambda: len(pa.assignment) == PARTITIONS, 10, "the remaining consumer to own every partition")
    finally:
        pa.close()
        if pb:
            pb.close()


def test_commit_resume_and_survive_restart(procs, tmp_path):
    from kafka.structs import OffsetAndMetadata, TopicPartition
    broker, brokers = start_broker(procs, tmp_path)
    produce(brokers, "cr", 20)
    tp = TopicPartition("cr", 1)

    def first_offset_after_join():
        c = kp_consumer(brokers, "cr-group", enable_auto_commit=False)
        try:
            c.assign([tp])
            recs = drain(c, 1)
            return recs[0][1], c.committed(tp)
        finally:
            c.close()

    c = kp_consumer(brokers, "cr-group", enable_auto_commit=False)
    c.subscribe(["cr"])
    got = drain(c, 20)
    assert len(got) == 20
    on_p1 = sorted(o for p, o, _ in got if p == 1)
    assert len(on_p1) >= 2
    c.commit({tp: OffsetAndMetadata(on_p1[1], "resume here")})
    c.close()
    # A new member of the group resumes after the committed offset.
    c = kp_consumer(brokers, "cr-group", enable_auto_commit=False)
    c.subscribe(["cr"])
    got = drain(c, 20 - 1, timeout=15)
    assert sorted(o for p, o, _ in got if p == 1) == on_p1[1:]
    c.close()
    assert first_offset_after_join() == (on_p1[1], on_p1[1])
    # Committed offsets survive a clean restart and a SIGKILL.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        broker.stop(sig)
        broker, brokers = start_broker(procs, tmp_path, name=f"broker-{sig.name}")
        assert first_offset_after_join() == (on_p1[1], on_p1[1])


def test_confluent_consumer_group_commit(procs, tmp_path):
    from confluent_kafka import Consumer, TopicPartition
    _, brokers = start_broker(procs, tmp_path)
    values = produce(brokers, "ck", 30)
    conf = {"bootstrap.servers": brokers, "group.id": "ck-group", "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": SESSION_MS}
    c = Consumer(conf)
    got = []
    try:
        c.subscribe(["ck"])
        deadline = time.monotonic() + 30
        while len(got) < len(values) and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                got.append(m.value().decode())
        assert sorted(got) == sorted(values)
        c.commit(asynchronous=False)
        committed = c.committed([TopicPartition("ck", p) for p in range(PARTITIONS)], timeout=10)
        lows_highs = [c.get_watermark_offsets(TopicPartition("ck", p), timeout=10) for p in range(PARTITIONS)]
        assert [tp.offset for tp in committed] == [hi for _, hi in lows_highs]
    finally:
        c.close()


CHILD = r"""
import json, sys, time
from kafka import KafkaConsumer
c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id=sys.argv[2], session_timeout_ms=6000,
                  heartbeat_interval_ms=1000, enable_auto_commit=False)
c.subscribe([sys.argv[3]])
last = None
while True:
    c.poll(timeout_ms=100)
    now = sorted(tp.partition for tp in c.assignment())
    if now != last:
        print(json.dumps(now), flush=True)
        last = now
"""


class Child:
    """A kafka-python group member in its own process, reporting its assignment on stdout."""

    def __init__(self, brokers, group, topic):
        self.p = subprocess.Popen(["/usr/bin/python3", "-c", CHILD, brokers, group, topic],
                                  stdout=subprocess.PIPE, text=True)
        self.assignment = None

    def read_until(self, want, timeout):
        deadline = time.monotonic() + timeout
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ)
        while self.assignment != want and time.monotonic() < deadline:
            if sel.select(timeout=0.2):
                line = self.p.stdout.readline()
                if not line:
                    break
                self.assignment = json.loads(line)
        sel.close()
        return self.assignment

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def test_killed_member_is_expired_and_partitions_reassigned(procs, tmp_path):
    _, brokers = start_broker(procs, tmp_path)
    produce(brokers, "kx", 8)
    a = Child(brokers, "kx-group", "kx")
    b = None
    try:
        assert a.read_until([0, 1, 2, 3], 30) == [0, 1, 2, 3]
        b = Child(brokers, "kx-group", "kx")
        wait_until(lambda: a.read_until(None, 0.3) is not None and len(a.assignment) == 2, 30,
                   "the first member to give up two partitions")
        b_parts = b.read_until(sorted(set(range(4)) - set(a.assignment)), 15)
        assert sorted(a.assignment + b_parts) == [0, 1, 2, 3]
        # A SIGKILLed member sends no LeaveGroup: the session timeout must expire it.
        start = time.monotonic()
        b.kill()
        assert a.read_until([0, 1, 2, 3], SESSION_MS / 1000 + 15) == [0, 1, 2, 3]
        assert time.monotonic() - start >= SESSION_MS / 1000 - 1
        out = harness.run(["groups", "describe", "--brokers", brokers, "--group", "kx-group"], timeout=30).stdout
        assert "group kx-group state Stable" in out and out.count("\nmember ") == 1
        assigned = [l.split() for l in out.splitlines() if l.startswith("kx ")]
        assert sorted(int(r[1]) for r in assigned) == [0, 1, 2, 3]  # all owned by the survivor
        assert len({r[5] for r in assigned}) == 1
    finally:
        a.kill()
        if b:
            b.kill()


def test_groups_command_lists_members_assignment_and_lag(procs, tmp_path):
    from kafka.structs import OffsetAndMetadata, TopicPartition
    _, brokers = start_broker(procs, tmp_path)
    produce(brokers, "gl", 40)
    c = kp_consumer(brokers, "gl-group", enable_auto_commit=False, client_id="lag-client")
    try:
        c.subscribe(["gl"])
        assert len(drain(c, 40)) == 40
        # Commit 2 records short of the end of partition 0, the end of the others.
        ends = c.end_offsets([TopicPartition("gl", p) for p in range(PARTITIONS)])
        offsets = {tp: OffsetAndMetadata(end - (2 if tp.partition == 0 else 0), None) for tp, end in ends.items()}
        c.commit(offsets)
        listed = harness.run(["groups", "list", "--brokers", brokers], timeout=30).stdout
        assert "gl-group" in listed
        out = harness.run(["groups", "describe", "--brokers", brokers, "--group", "gl-group"], timeout=30).stdout
        assert "Stable" in out and "lag-client" in out and "127.0.0.1" in out
        rows = [l.split() for l in out.splitlines() if l.startswith("gl ")]
        by_part = {int(r[1]): r for r in rows}
        assert sorted(by_part) == list(range(PARTITIONS))
        for tp, end in ends.items():
            row = by_part[tp.partition]
            committed, high, lag = int(row[2]), int(row[3]), int(row[4])
            assert (committed, high) == (offsets[tp].offset, end)
            assert lag == (2 if tp.partition == 0 else 0)
    finally:
        c.close()
