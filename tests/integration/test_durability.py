"""Crash durability of the broker: an acks=all producer (confluent-kafka, idempotent) sends in a loop
while the broker is SIGKILLed at random moments and restarted on the same port; afterwards every
acknowledged message is in the log exactly once, at its acknowledged offset, in send order. Also:
a torn tail is cut and logged at restart, a brand-new data dir is not called unclean, a clean stop
is marked clean.

The seed is printed; set EVENTLAKE_SEED to replay a run."""
import glob
import os
import random
import signal
import time

from confluent_kafka import Producer

from harness import kcat

ROUNDS = 5


def start_broker(procs, data, port, name, extra=()):
    """Starts a broker on 127.0.0.1:`port` (0 = any); returns (proc, port)."""
    pf = procs.tmp_path / f"{name}.port"
    if pf.exists():
        pf.unlink()
    p = procs.start(["broker", "--data", str(data), "--listen", f"127.0.0.1:{port}",
                     "--port-file", str(pf), *extra], name)
    return p, p.wait_port_file(pf, timeout=30)["main"]


def read_log(brokers, topic):
    """[(offset, value)] of the whole partition 0, via kcat."""
    out = kcat(["-C", "-b", brokers, "-t", topic, "-p", "0", "-o", "beginning", "-e",
                "-f", "%o %s\n"], timeout=60).stdout.decode()
    rows = []
    for line in out.splitlines():
        off, _, value = line.partition(" ")
        rows.append((int(off), value))
    return rows


def test_acknowledged_messages_survive_sigkill(procs, tmp_path):
    seed = int(os.environ.get("EVENTLAKE_SEED", random.randrange(1 << 30)))
    print(f"durability seed {seed} (EVENTLAKE_SEED={seed} replays it)")
    rng = random.Random(seed)
    data = tmp_path / "data"
    broker, port = start_broker(procs, data, 0, "broker0")
    assert "created new data directory" in broker.output()
    assert "unclean" not in broker.output()
    brokers = f"127.0.0.1:{port}"
    topic = "crash"
    kcat(["-P", "-b", brokers, "-t", topic], input=b"first\n", timeout=30)

    acked = {}  # value -> offset
    failed = []

    def on_delivery(err, msg):
        if err is None:
            acked[msg.value().decode()] = msg.offset()
        else:
            failed.append(str(err))

    producer = Producer({
        "bootstrap.servers": brokers,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 2,
        "message.timeout.ms": 60000,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 200,
    })
    def produce(value):
        while True:  # a full local queue is back-pressure: serve delivery reports, then retry
            try:
                producer.produce(topic, value.encode(), partition=0, on_delivery=on_delivery)
                return
            except BufferError:
                producer.poll(0.05)

    sent = []
    n = 0
    for rnd in range(ROUNDS):
        kill_at = time.monotonic() + rng.uniform(0.3, 1.5)
        while time.monotonic() < kill_at:
            value = f"m{n:07d}"
            produce(value)
            sent.append(value)
            n += 1
            producer.poll(0)
            if n % 200 == 0:
                time.sleep(0.001)
        broker.popen.send_signal(signal.SIGKILL)
        broker.popen.wait()
        # A few more sends land in librdkafka's queue while the broker is down.
        for _ in range(rng.randrange(50)):
            value = f"m{n:07d}"
            produce(value)
            sent.append(value)
            n += 1
        broker, _ = start_broker(procs, data, port, f"broker{rnd + 1}")
        assert "unclean shutdown" in broker.output()
        producer.poll(0.2)
    assert producer.flush(60) == 0, "producer did not drain"
    assert not failed, failed[:5]
    assert len(acked) == len(sent) and len(sent) > 0

    rows = read_log(brokers, topic)
    values = [v for _, v in rows]
    by_offset = dict(rows)
    for value, off in acked.items():
        assert by_offset.get(off) == value, f"acked {value} at {off}, log has {by_offset.get(off)}"
    assert len(set(values)) == len(values), "a message is stored twice"
    order = [v for v in values if v.startswith("m")]
    assert order == sorted(order), "messages out of send order"
    assert order == sent  # idempotence: nothing lost, nothing doubled, even for retried batches
    assert broker.stop() == 0
    assert "clean" in open(glob.glob(str(data / ".clean_shutdown"))[0]).read()


def test_torn_tail_is_cut_and_logged(procs, tmp_path):
    data = tmp_path / "data"
    broker, port = start_broker(procs, data, 0, "b0")
    brokers = f"127.0.0.1:{port}"
    lines = [f"line{i}" for i in range(100)]
    kcat(["-P", "-b", brokers, "-t", "torn", "-X", "acks=all"],
         input="".join(l + "\n" for l in lines).encode(), timeout=30)
    broker.popen.send_signal(signal.SIGKILL)
    broker.popen.wait()
    seg = sorted(glob.glob(str(data / "torn-0" / "*.log")))[-1]
    good = os.path.getsize(seg)
    with open(seg, "ab") as f:  # half a batch header: a write torn by the crash
        f.write(bytes(range(40)))
    broker, _ = start_broker(procs, data, port, "b1")
    out = broker.output()
    assert "dropping 40 bytes after the last valid batch" in out, out
    assert "unclean shutdown" in out
    assert os.path.getsize(seg) == good
    assert [v for _, v in read_log(brokers, "torn")] == lines
    kcat(["-P", "-b", brokers, "-t", "torn"], input=b"after\n", timeout=30)
    assert [v for _, v in read_log(brokers, "torn")][-1] == "after"
    assert broker.stop() == 0
    broker, _ = start_broker(procs, data, port, "b2")
    assert "clean shutdown" in broker.output() and "unclean" not in broker.output()
