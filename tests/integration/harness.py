"""Helpers for integration tests: start the real eventlake binary on port 0 and talk to it.

Every process started here is killed when the test ends (see the `procs` fixture in conftest.py).
"""
import contextlib
import csv
import http.client
import io
import json
import os
import signal
import subprocess
import time
import uuid

BIN = os.environ.get("EVENTLAKE_BIN", os.path.join(os.path.dirname(__file__), "../../build/eventlake"))


class Proc:
    """A running eventlake subcommand. `ports` maps a listener name to the port it got. `command`
    replaces BIN, e.g. with a chroot command line ending in the binary's path inside the root."""

    def __init__(self, args, tmp_path, name, env=None, command=None):
        self.args = list(command or [BIN]) + list(args)
        self.log_path = tmp_path / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT, env=with_env(env))
        self.ports = {}

    def wait_port_file(self, path, timeout=15.0):
        """Waits for a port file. A file holding one number gives ports['main'];
        lines `name=port` give ports[name]."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.args} exited with {self.popen.returncode}:\n{self.output()}")
            if os.path.exists(path):
                text = open(path).read().strip()
                if text:
                    for line in text.splitlines():
                        if "=" in line:
                            k, v = line.split("=", 1)
                            self.ports[k.strip()] = int(v)
                        else:
                            self.ports["main"] = int(line)
                    return self.ports
            time.sleep(0.02)
        raise TimeoutError(f"no port file {path} from {self.args}:\n{self.output()}")

    def output(self):
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Sends `sig` and waits; returns the exit code. Kills after `timeout`."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()
        return self.popen.returncode


class Procs:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.all = []

    def start(self, args, name="eventlake", env=None):
        """Starts `eventlake ARGS`; `env` adds variables to this process's environment."""
        p = Proc(args, self.tmp_path, name, env)
        self.all.append(p)
        return p

    def _port_file(self, name):
        pf = self.tmp_path / f"{name}.port"
        if pf.exists():
            pf.unlink()
        return pf

    def broker(self, data_dir, name="broker", extra=(), port=0, timeout=15.0):
        """Starts `eventlake broker` on 127.0.0.1:`port` (0: any; a restart passes the port the first
        start got, so that clients reconnect); returns (proc, 'host:port')."""
        pf = self._port_file(name)
        p = self.start(["broker", "--data", str(data_dir), "--listen", f"127.0.0.1:{port}",
                        "--port-file", str(pf), *extra], name)
        port = p.wait_port_file(pf, timeout)["main"]
        return p, f"127.0.0.1:{port}"

    def collector(self, brokers, name="collector", extra=(), port=0, timeout=15.0):
        """Starts `eventlake collect` on 127.0.0.1:`port` (0: any); returns (proc, 'http://127.0.0.1:port')."""
        pf = self._port_file(name)
        p = self.start(["collect", "--brokers", brokers, "--listen", f"127.0.0.1:{port}",
                        "--port-file", str(pf), *extra], name)
        port = p.wait_port_file(pf, timeout)["main"]
        return p, f"http://127.0.0.1:{port}"

    def up(self, data_dir, name="up", extra=(), kafka_port=0, http_port=0, timeout=15.0):
        """Starts `eventlake up` (broker, collector and follow lander in one process) on 127.0.0.1;
        returns (proc, 'host:port' of Kafka, 'http://127.0.0.1:port'). Its lake is data_dir/lake; its
        console listens on a free port (proc.ports['console'])."""
        pf = self._port_file(name)
        p = self.start(["up", "--data", str(data_dir), "--kafka", f"127.0.0.1:{kafka_port}",
                        "--http", f"127.0.0.1:{http_port}", "--console", "127.0.0.1:0",
                        "--port-file", str(pf), *extra], name)
        ports = p.wait_port_file(pf, timeout)
        return p, f"127.0.0.1:{ports['kafka']}", f"http://127.0.0.1:{ports['http']}"

    def kill_all(self):
        for p in self.all:
            if p.popen.poll() is None:
                p.popen.kill()
                p.popen.wait()
            if not p.log.closed:
                p.log.close()


def with_env(extra):
    """This process's environment plus `extra` (None: unchanged)."""
    return None if extra is None else {**os.environ, **extra}


def run(args, timeout=120, check=True, input=None, env=None):
    """Runs an eventlake subcommand to completion (`env` adds variables); returns CompletedProcess (text)."""
    cp = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=timeout, input=input,
                        env=with_env(env))
    if check and cp.returncode != 0:
        raise AssertionError(f"eventlake {args} exited {cp.returncode}\nstdout:{cp.stdout}\nstderr:{cp.stderr}")
    return cp


def http_request(url, method, path, body=None, headers=None, timeout=30):
    """One request on a fresh connection to `url` (http://host:port); a dict or list body is sent as
    JSON. Returns (status, {lower-case header: value}, body bytes)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def kcat(args, timeout=60, input=None, check=True):
    """Runs kcat; returns CompletedProcess with bytes output."""
    cp = subprocess.run(["kcat"] + list(args), capture_output=True, timeout=timeout, input=input)
    if check and cp.returncode != 0:
        raise AssertionError(f"kcat {args} exited {cp.returncode}\nstderr:{cp.stderr.decode(errors='replace')}")
    return cp


def topic_name(prefix="events"):
    """A topic name no other test uses."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def create_topic(brokers, topic, partitions=1):
    """Creates `topic` through the admin API (confluent-kafka). Clusters without it (librdkafka's
    mock cluster, with EVENTLAKE_TEST_BROKERS) create the topic on a metadata request instead."""
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": brokers})
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    try:
        futures[topic].result(timeout=10)
    except Exception:  # noqa: BLE001 - fall back to auto-creation
        if not os.environ.get("EVENTLAKE_TEST_BROKERS"):
            raise
        kcat(["-L", "-b", brokers, "-t", topic])


def produce(brokers, topic, lines, partition=0, key=None):
    """Produces one record per line (str, or dict as JSON) to one partition with kcat; with `key`,
    every record gets that key."""
    lines = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    args = ["-P", "-b", brokers, "-t", topic, "-p", str(partition)]
    if key is None:
        data = "".join(line + "\n" for line in lines).encode()
    else:
        args += ["-K", "\t"]
        data = "".join(f"{key}\t{line}\n" for line in lines).encode()
    kcat(args, input=data)


def land(brokers, lake, topic, *extra, check=True, timeout=120):
    """One batch run of `eventlake land` of `topic` into `lake`."""
    return run(["land", "--brokers", brokers, "--lake", str(lake), "--topic", topic, *extra], timeout=timeout,
               check=check)


def query(lake, sql, timeout=60):
    """Rows of `eventlake query` (CSV) as dicts."""
    cp = run(["query", "--lake", str(lake), "--format", "csv", sql], timeout=timeout)
    return list(csv.DictReader(io.StringIO(cp.stdout)))


def reader_tables(lake, prefix=""):
    """The tables `eventlake query` sees (table folders and event types' tables) starting with `prefix`."""
    rows = query(lake, "SELECT table_name FROM information_schema.tables ORDER BY 1")
    return [r["table_name"] for r in rows if r["table_name"].startswith(prefix)]


def scalar(lake, sql):
    """The first column of the first row of `eventlake query`."""
    return next(iter(query(lake, sql)[0].values()))


def end_offsets(brokers, topic, timeout=10.0):
    """{partition: end offset (high watermark)} of every partition of `topic` (confluent-kafka)."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": brokers, "group.id": f"harness-{uuid.uuid4().hex[:8]}",
                  "enable.auto.commit": False})
    try:
        md = c.list_topics(topic, timeout=timeout)
        parts = sorted(md.topics[topic].partitions)
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)[1] for p in parts}
    finally:
        c.close()


def read_topic(brokers, topic, timeout=120.0):
    """Every record value of `topic` (bytes, all partitions, from the beginning to the end offsets
    when called), read with confluent-kafka; fails if the end is not reached within `timeout`."""
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    ends = end_offsets(brokers, topic)
    c = Consumer({"bootstrap.servers": brokers, "group.id": f"harness-{uuid.uuid4().hex[:8]}",
                  "enable.auto.commit": False, "enable.partition.eof": False})
    values = []
    try:
        unread = {p for p, end in ends.items() if end > 0}
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in unread])
        deadline = time.monotonic() + timeout
        while unread and time.monotonic() < deadline:
            for msg in c.consume(10000, 1.0):
                if msg.error():
                    continue
                if msg.partition() in unread:
                    values.append(msg.value())
                    if msg.offset() + 1 >= ends[msg.partition()]:
                        unread.discard(msg.partition())
        if unread:
            raise AssertionError(f"read_topic {topic}: partitions {sorted(unread)} not read to their end "
                                 f"{ends} within {timeout} s")
        return values
    finally:
        c.close()


def landed_ends(lake, table):
    """{partition: last offset + 1} that the files of a lake table hold, from their names
    (`<topic>+<partition>+<first>-<last>.parquet`), without reading them."""
    ends = {}
    folder = os.path.join(str(lake), table)
    if not os.path.isdir(folder):
        return ends
    for _, _, files in os.walk(folder):
        for f in files:
            parts = f.removesuffix(".parquet").split("+")
            if not f.endswith(".parquet") or len(parts) < 3:
                continue
            p, last = int(parts[-2]), int(parts[-1].split("-")[1])
            ends[p] = max(ends.get(p, 0), last + 1)
    return ends


def wait_until(cond, timeout, what, step=0.02):
    """Polls `cond` until it is true; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def fnv1a32(text):
    h = 2166136261
    for b in text.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def default_group(key, lake):
    """The consumer group `eventlake land` commits to without --group: the topic or job name and a
    hash of the lake's resolved absolute path."""
    return f"eventlake-land-{key}-{fnv1a32(os.path.realpath(lake)):08x}"


def staging_left(lake, key):
    """What landers of `key` (a topic or job) left in the lake's staging: batch and spill folders
    and owner files. Empty once every lander of the key has ended, however it ended."""
    staging = os.path.join(str(lake), "_staging", key)
    return sorted(os.listdir(staging)) if os.path.isdir(staging) else []


@contextlib.contextmanager
def small_filesystem(path, size):
    """A tmpfs of `size` (e.g. "3m") mounted at `path` (root, as in CI) for the block; grow it with
    `mount -o remount,size=...`."""
    path.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def scrape(url):
    """{(sample name, frozenset of label items): value} of a /metrics answer, read with the
    Prometheus client library's own text parser (a malformed exposition raises)."""
    from prometheus_client.parser import text_string_to_metric_families
    status, _, body = http_request(url, "GET", "/metrics")
    assert status == 200, status
    samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def sample(samples, name, **labels):
    """One value of scrape()'s result, or None."""
    return samples.get((name, frozenset(labels.items())))
