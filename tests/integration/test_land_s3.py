"""`eventlake land --lake s3://BUCKET/PREFIX` against a real S3 server (Ceph's RADOS gateway started
by the `ceph` fixture): the default layout lands into the bucket with the commit protocol of
docs/formats/lake_on_s3.md. boto3 checks, on its own, what is in the bucket; the lake is then
downloaded and read by DuckDB (`eventlake query` on the copy)."""
import json
import os
import random
import signal
import time
import uuid

import pytest

import harness
import s3_lake
from harness import query
from test_land_crash import Producer, assert_exactly_once, create_topic, seed_from_env


def s3_env(ceph, **extra):
    """The gateway from AWS's environment variables only (no ~/.aws files)."""
    env = dict(ceph.env())
    env["AWS_CONFIG_FILE"] = "/nonexistent"
    env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent"
    env.update(extra)
    return env


def land_s3(ceph, brokers, lake, topic, *extra, check=True, env=None):
    return harness.run(["land", "--brokers", brokers, "--lake", lake, "--topic", topic, *extra],
                       env=s3_env(ceph, **(env or {})), check=check, timeout=120)


def bucket_keys(ceph, bucket, prefix):
    """Every key under `prefix` (relative to it), boto3's view."""
    s3 = ceph.s3()
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"][len(prefix):] for o in page.get("Contents", [])]
    return sorted(keys)


def download(ceph, bucket, prefix, dest):
    """The lake under `prefix` as a local folder (without `_staging/`)."""
    s3 = ceph.s3()
    for key in bucket_keys(ceph, bucket, prefix):
        if key.startswith("_staging/"):
            continue
        path = dest / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s3.get_object(Bucket=bucket, Key=prefix + key)["Body"].read())
    return dest


def progress(ceph, bucket, prefix, topic):
    return s3_lake.progress(ceph.s3(), bucket, prefix, topic)


def acked_ends(acked):
    """{partition: 1 + the last acknowledged offset} of a Producer's acknowledged events."""
    ends = {}
    for (_, p, offset) in acked:
        ends[p] = max(ends.get(p, 0), offset + 1)
    return ends


def events(n, types=("buy", "view")):
    return [json.dumps({"event_type": types[i % len(types)], "i": i, "item": {"id": i}}) for i in range(n)]


def test_batch_land_writes_the_default_layout_into_the_bucket(ceph, s3_bucket, brokers, tmp_path):
    topic = harness.topic_name("s3b")
    harness.create_topic(brokers, topic, 2)
    harness.produce(brokers, topic, events(30), partition=0)
    harness.produce(brokers, topic, events(12), partition=1)
    lake = f"s3://{s3_bucket}/lake"
    out = land_s3(ceph, brokers, lake, topic).stdout
    assert "landed 42 events" in out, out
    keys = bucket_keys(ceph, s3_bucket, "lake/")
    data = [k for k in keys if k.endswith(".parquet")]
    assert sorted(data) == [f"{topic}/event_type=buy/{topic}+0+0-29.parquet",
                            f"{topic}/event_type=buy/{topic}+1+0-11.parquet",
                            f"{topic}/event_type=view/{topic}+0+0-29.parquet",
                            f"{topic}/event_type=view/{topic}+1+0-11.parquet"], keys
    assert "_format" in keys and f"{topic}/_schema/v1.json" in keys, keys
    assert f"{topic}/event_type=buy/_schema/v1.json" in keys, keys
    assert progress(ceph, s3_bucket, "lake/", topic) == {0: 30, 1: 12}
    assert not [k for k in keys if k.startswith("_staging/")], keys
    assert not ceph.s3().list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    # The same names as a local lake of the same range.
    local = tmp_path / "local"
    harness.land(brokers, local, topic)
    local_data = sorted(str(p.relative_to(local)) for p in local.rglob("*.parquet")
                        if "/_" not in "/" + str(p.relative_to(local)))
    assert local_data == sorted(data)
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert harness.scalar(copy, f'SELECT count(*) FROM "{topic}"') == "42"
    assert harness.scalar(copy, f'SELECT count(*) FROM "{topic}_buy"') == "21"
    rows = query(copy, f'SELECT i, item.id AS id FROM "{topic}_view" WHERE _partition = 1 ORDER BY i')
    assert [int(r["i"]) for r in rows] == list(range(1, 12, 2))
    # `eventlake query` reads the landed bucket in place, as it reads the copy.
    in_place = harness.run(["query", "--lake", lake, "--cache-dir", str(tmp_path / "cache"), "--format", "csv",
                            f'SELECT (SELECT count(*) FROM "{topic}"), (SELECT count(*) FROM "{topic}_buy")'],
                           env=s3_env(ceph), timeout=60).stdout
    assert in_place.strip().splitlines()[-1] == "42,21", in_place

    # An append run lands only what is new; an overwrite run replaces the tables.
    harness.produce(brokers, topic, events(5), partition=1)
    out = land_s3(ceph, brokers, lake, topic, "--mode", "append").stdout
    assert "landed 5 events" in out, out
    assert progress(ceph, s3_bucket, "lake/", topic) == {0: 30, 1: 17}
    land_s3(ceph, brokers, lake, topic, "--mode", "overwrite")
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy2")
    assert harness.scalar(copy, f'SELECT count(DISTINCT (_partition, _offset)) FROM "{topic}"') == "47"
    assert harness.scalar(copy, f'SELECT count(*) FROM "{topic}"') == "47"
    assert progress(ceph, s3_bucket, "lake/", topic) == {0: 30, 1: 17}
    err = land_s3(ceph, brokers, lake, topic, "--mode", "error", check=False)
    assert err.returncode == 1 and "already exists" in err.stderr, err.stderr


def test_sigkill_follow_at_random_moments_keeps_exactly_once_on_s3(ceph, s3_bucket, procs, tmp_path):
    rng = random.Random(seed_from_env())
    rounds = int(os.environ.get("EVENTLAKE_CRASH_ROUNDS", "8"))
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"s3crash_{uuid.uuid4().hex[:8]}"
    create_topic(brokers, topic)
    lake = f"s3://{s3_bucket}/lake"
    args = ["land", "--brokers", brokers, "--lake", lake, "--topic", topic, "--follow"]
    producer = Producer(brokers, topic, rng)
    producer.start()
    try:
        for r in range(rounds):
            flush_ms = rng.choice(["20", "100", "300"])
            lander = procs.start(args + ["--flush-ms", flush_ms], f"follow{r}", env=s3_env(ceph))
            time.sleep(rng.uniform(0.3, 3.5))  # a first batch lands about 1-2 s after start
            lander.stop(signal.SIGKILL)
    finally:
        producer.stop()
    acked = producer.acked
    assert len(acked) > 200
    ends = acked_ends(acked)
    lander = procs.start(args + ["--flush-ms", "100"], "follow-final", env=s3_env(ceph))
    harness.wait_until(lambda: progress(ceph, s3_bucket, "lake/", topic) == ends, 60,
                       "the lake's progress records reach the end of the topic")
    assert lander.stop(signal.SIGTERM) == 0, lander.output()
    keys = bucket_keys(ceph, s3_bucket, "lake/")
    assert not [k for k in keys if k.startswith("_staging/")], keys
    assert not ceph.s3().list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert_exactly_once(copy, topic, acked)


def test_wrong_credentials_and_missing_bucket_are_clear_errors(ceph, s3_bucket, brokers, tmp_path):
    topic = harness.topic_name("s3err")
    harness.create_topic(brokers, topic, 1)
    harness.produce(brokers, topic, events(3))
    bad = land_s3(ceph, brokers, f"s3://{s3_bucket}/lake", topic, check=False,
                  env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
    assert bad.returncode == 1, bad.stderr
    assert f"s3://{s3_bucket}/lake" in bad.stderr and "credentials" in bad.stderr, bad.stderr
    unknown = land_s3(ceph, brokers, f"s3://{s3_bucket}/lake", topic, check=False,
                      env={"AWS_ACCESS_KEY_ID": "NOSUCHKEY00000000000"})
    assert unknown.returncode == 1 and "credentials" in unknown.stderr, unknown.stderr
    missing = land_s3(ceph, brokers, "s3://no-such-bucket-here/lake", topic, check=False)
    assert missing.returncode == 1, missing.stderr
    assert "no-such-bucket-here" in missing.stderr and "bucket" in missing.stderr.lower(), missing.stderr
    assert bucket_keys(ceph, s3_bucket, "") == []


def test_gateway_restarted_during_landing(ceph, s3_bucket, procs, tmp_path):
    """The gateway goes away for longer than a request's retries while `land --follow` lands: the
    lander reports the failed batches, lands them again once the gateway is back, and keeps running."""
    rng = random.Random(seed_from_env())
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"s3gw_{uuid.uuid4().hex[:8]}"
    create_topic(brokers, topic)
    lake = f"s3://{s3_bucket}/lake"
    lander = procs.start(["land", "--brokers", brokers, "--lake", lake, "--topic", topic, "--follow",
                          "--flush-ms", "50"], "follow", env=s3_env(ceph))
    producer = Producer(brokers, topic, rng)
    producer.start()
    try:
        harness.wait_until(lambda: progress(ceph, s3_bucket, "lake/", topic), 30, "a first batch")
        ceph.stop_gateway(signal.SIGKILL)
        time.sleep(4)  # longer than one request's retries (about 3 s): batches fail meanwhile
        assert lander.popen.poll() is None, lander.output()
        ceph.start_gateway()
        time.sleep(1)
    finally:
        producer.stop()
    acked = producer.acked
    ends = acked_ends(acked)
    harness.wait_until(lambda: progress(ceph, s3_bucket, "lake/", topic) == ends, 90,
                       "the lake's progress records reach the end of the topic")
    assert lander.stop(signal.SIGTERM) == 0, lander.output()
    assert "batch dropped, landing again" in lander.output(), lander.output()
    keys = bucket_keys(ceph, s3_bucket, "lake/")
    assert not [k for k in keys if k.startswith("_staging/")], keys
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert_exactly_once(copy, topic, acked)


def test_up_lands_the_game_events_into_the_bucket(ceph, s3_bucket, procs, tmp_path):
    lake = f"s3://{s3_bucket}/game"
    pf = tmp_path / "up.port"
    args = ["up", "--data", str(tmp_path / "data"), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0",
            "--port-file", str(pf), "--lake", lake]
    # The console reads a local lake: asked for by name with an S3 lake, it is refused.
    refused = harness.run(args + ["--console", "127.0.0.1:0"], check=False, env=s3_env(ceph), timeout=30)
    assert refused.returncode == 2 and "--console off" in refused.stderr, refused.stderr
    up = procs.start(args, "up", env=s3_env(ceph))
    ports = up.wait_port_file(pf)
    http = f"http://127.0.0.1:{ports['http']}"
    for path in ["/", "/purchase_a_sword", "/purchase_a_sword", "/"]:
        status, _, body = harness.http_request(http, "GET", path)
        assert status == 200, body
    harness.wait_until(lambda: sum(progress(ceph, s3_bucket, "game/", "events").values()) == 4, 30,
                       "4 events in the bucket")
    assert up.stop(signal.SIGTERM) == 0, up.output()
    assert "console off" in up.output()
    copy = download(ceph, s3_bucket, "game/", tmp_path / "copy")
    assert harness.scalar(copy, 'SELECT count(*) FROM "events_purchase_sword"') == "2"
    assert harness.scalar(copy, 'SELECT count(*) FROM "events_default"') == "2"
    assert harness.scalar(copy, 'SELECT count(DISTINCT "Host") FROM "events"') == "1"
    bad = harness.run(args, check=False, env=s3_env(ceph, AWS_SECRET_ACCESS_KEY="wrong"), timeout=30)
    assert bad.returncode == 1 and "credentials" in bad.stderr, bad.stderr


EXAMPLES = os.path.join(os.path.dirname(__file__), "../../examples")
SEED_JOBS = ["extract_events.toml", "munge_events.toml", "separate_events.toml"]


def data_files(root):
    """Visible Parquet files under a local lake folder, relative, sorted."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet")
                  if not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts[:-1]))


def test_seed_jobs_land_into_the_bucket_as_into_a_local_lake(ceph, s3_bucket, procs, tmp_path):
    _, brokers = procs.broker(tmp_path / "log")
    _, http = procs.collector(brokers)
    for path in ["/"] * 3 + ["/purchase_a_sword"] * 5:
        status, _, body = harness.http_request(http, "GET", path)
        assert status == 200, body
    lake = f"s3://{s3_bucket}/lake"
    local = tmp_path / "local"
    for job in SEED_JOBS:
        args = ["land", "--brokers", brokers, "--job", os.path.join(EXAMPLES, job)]
        out = harness.run(args + ["--lake", lake], env=s3_env(ceph)).stdout
        assert "landed 8 events" in out, out
        harness.run(args + ["--lake", str(local)])
    again = harness.run(["land", "--brokers", brokers, "--job", os.path.join(EXAMPLES, SEED_JOBS[2]),
                         "--lake", lake], env=s3_env(ceph)).stdout  # overwrite: the same tables
    assert "landed 8 events" in again, again
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert data_files(copy) == data_files(local)
    keys = bucket_keys(ceph, s3_bucket, "lake/")
    assert "_jobs/separate_events/_progress/events/0.next" in keys, keys
    assert not [k for k in keys if k.startswith("_staging/")], keys
    assert harness.scalar(copy, "SELECT count(*) FROM sword_purchases") == "5"
    assert harness.scalar(copy, "SELECT count(*) FROM default_hits") == "3"
    for table in ["sword_purchases", "default_hits"]:
        assert query(copy, f"SELECT * FROM {table} ORDER BY _offset") == \
            query(local, f"SELECT * FROM {table} ORDER BY _offset")


def parquet_types(lake, table_glob, column):
    """{file name: DuckDB type of `column`} of every Parquet file matching the glob, read alone."""
    rows = query(lake, f"SELECT file_name, name, type FROM parquet_schema('{lake}/{table_glob}') "
                       f"WHERE name = '{column}'")
    return {os.path.basename(r["file_name"]): r["type"] for r in rows}


def test_a_type_change_rewrites_the_files_in_the_bucket(ceph, s3_bucket, brokers, tmp_path):
    """Scenario 4 on S3: a field's type changes between runs; the files already in the bucket are
    rewritten in the new type, as in a local lake, so a reader of the files alone sees one type."""
    topic = harness.topic_name("s3types")
    harness.create_topic(brokers, topic, 1)
    lake = f"s3://{s3_bucket}/lake"
    local = tmp_path / "local"
    harness.produce(brokers, topic, [json.dumps({"event_type": "t", "userId": 7})])
    for target, env in [(lake, s3_env(ceph)), (str(local), None)]:
        harness.run(["land", "--brokers", brokers, "--lake", target, "--topic", topic], env=env)
    harness.produce(brokers, topic, [json.dumps({"event_type": "t", "userId": "u1"})])
    for target, env in [(lake, s3_env(ceph)), (str(local), None)]:
        harness.run(["land", "--brokers", brokers, "--lake", target, "--topic", topic, "--mode", "append"],
                    env=env)
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert data_files(copy) == data_files(local)
    got = parquet_types(copy, f"{topic}/**/*.parquet", "userId")
    assert got == parquet_types(local, f"{topic}/**/*.parquet", "userId")
    assert len(got) == 2 and len(set(got.values())) == 1, got
    sql = f'SELECT userId FROM "{topic}" ORDER BY _offset'
    assert query(copy, sql) == query(local, sql)


def test_a_batch_run_in_parts_uploads_each_part_while_reading_on(ceph, s3_bucket, brokers, tmp_path):
    """A batch run lands its range in parts (parts of 4 KB here: EVENTLAKE_TEST_PART_BYTES, test
    builds only), and each part's files are uploaded while the next part is read. A field that turns
    from a number to text in a late part makes the earlier parts' files be rewritten, and uploaded
    again: the bucket ends as a local lake of the same run, with one type per column, each event
    once, and no upload left unfinished."""
    topic = harness.topic_name("s3parts")
    harness.create_topic(brokers, topic, 2)
    rows = [json.dumps({"event_type": ("buy", "view")[i % 2], "i": i, "n": i if i < 500 else f"t{i}",
                        "pad": "x" * 40}) for i in range(600)]
    harness.produce(brokers, topic, rows)
    parts = {"EVENTLAKE_TEST_PART_BYTES": "4096"}
    out = land_s3(ceph, brokers, f"s3://{s3_bucket}/lake", topic, "--log-level", "debug", env=parts)
    assert "landed 600 events" in out.stdout, out.stdout
    assert "publishing" in out.stderr and "parts as one batch" in out.stderr, out.stderr[-2000:]
    assert not ceph.s3().list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    local = tmp_path / "local"
    harness.run(["land", "--brokers", brokers, "--lake", str(local), "--topic", topic], env=parts)
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert data_files(copy) == data_files(local)
    assert len(data_files(copy)) > 8
    got = parquet_types(copy, f"{topic}/**/*.parquet", "n")
    assert len(set(got.values())) == 1, got
    assert got == parquet_types(local, f"{topic}/**/*.parquet", "n")
    assert harness.scalar(copy, f'SELECT count(*) || \' \' || count(DISTINCT i) FROM "{topic}"') == "600 600"


def test_landers_in_one_group_land_each_event_once_on_s3(ceph, s3_bucket, procs, tmp_path):
    """Two landers of one consumer group split the partitions and write the same tables (and
    schema versions) of one S3 lake; one leaves, another joins, one is killed: each event is in the
    bucket once."""
    from test_land_group import split_between
    rng = random.Random(seed_from_env())
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"s3grp_{uuid.uuid4().hex[:8]}"
    group = f"landers_{uuid.uuid4().hex[:6]}"
    create_topic(brokers, topic)
    lake = f"s3://{s3_bucket}/lake"
    start = lambda name: procs.start(["land", "--brokers", brokers, "--lake", lake, "--topic", topic,
                                      "--follow", "--group", group, "--flush-ms", "100"], name,
                                     env=s3_env(ceph))
    producer = Producer(brokers, topic, rng)
    producer.start()
    try:
        a, b = start("lander-a"), start("lander-b")
        harness.wait_until(lambda: split_between(a, b), 30, "a and b to split\n" + a.output() + b.output())
        time.sleep(rng.uniform(1.0, 2.0))
        assert a.stop(signal.SIGTERM) == 0, a.output()
        c = start("lander-c")
        harness.wait_until(lambda: split_between(b, c), 30, "b and c to split\n" + b.output() + c.output())
        time.sleep(rng.uniform(0.5, 1.5))
        b.stop(signal.SIGKILL)
        harness.wait_until(lambda: split_between(c), 30, "c to take every partition\n" + c.output())
    finally:
        producer.stop()
    acked = producer.acked
    ends = acked_ends(acked)
    harness.wait_until(lambda: progress(ceph, s3_bucket, "lake/", topic) == ends, 60,
                       "the lake's progress records reach the end of the topic\n" + c.output())
    assert c.stop(signal.SIGTERM) == 0, c.output()
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert_exactly_once(copy, topic, acked)
    # One history per table: every version file parses and the latest names every column.
    latest = sorted((copy / topic / "_schema").glob("v*.json"), key=lambda p: int(p.stem[1:]))[-1]
    columns = {c["name"] for c in json.loads(latest.read_text())["columns"]}
    assert {"i", "item", "_offset"} <= columns, columns


def stopped(proc):
    """Whether the process is stopped (SIGSTOP): state T in /proc/<pid>/stat."""
    with open(f"/proc/{proc.popen.pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "T"


def landed_ids(ceph, bucket, topic, dest):
    """The event ids (field `i`) of the lake `lake/` in the bucket, one per landed event."""
    copy = download(ceph, bucket, "lake/", dest)
    return [int(r["i"]) for r in query(copy, f'SELECT i FROM "{topic}" ORDER BY _offset')]


def hook_stop(proc, step):
    """Waits until `proc` stopped itself at `step` (EVENTLAKE_TEST_STOP_AT); returns the keys of
    the uploads of the batch it stopped in."""
    mark = f"test hook: stopping at {step}"
    harness.wait_until(lambda: mark in proc.output() and stopped(proc), 60,
                       f"a lander to stop at {step}\n" + proc.output())
    line = next(l for l in proc.output().splitlines() if mark in l)
    return line.split("uploads:", 1)[1].split()


@pytest.mark.parametrize("step", ["publish", "commit"])
def test_a_zombie_lander_is_fenced_by_the_new_owners_claim(ceph, s3_bucket, procs, tmp_path, step):
    """A lander of a group stops (SIGSTOP) in its first batch, after its ownership check passed:
    before it publishes, or after it published and before it commits. Its session expires; the
    other lander is handed the partition, claims it, recovers (the zombie's uploads aborted, its
    published files deleted), lands, and stops right before its own commit. The zombie is resumed
    then: it fails (its Complete or its commit), drops its batch and recovers nothing of the
    partition it lost (the owner's published files stay). The owner is resumed and commits. Every
    event is in the bucket once and the zombie's files are not there."""
    _, brokers = procs.broker(tmp_path / "data")
    topic = f"s3zombie_{uuid.uuid4().hex[:8]}"
    group = f"landers_{uuid.uuid4().hex[:6]}"
    harness.create_topic(brokers, topic, 1)
    lake = f"s3://{s3_bucket}/lake"
    args = ["land", "--brokers", brokers, "--lake", lake, "--topic", topic, "--follow", "--group", group,
            "--flush-ms", "100"]
    batch = lambda lo, hi: [json.dumps({"event_type": "e", "event_id": f"id{i}", "i": i}) for i in range(lo, hi)]
    harness.produce(brokers, topic, batch(0, 40))
    zombie = procs.start(args, "zombie", env=s3_env(ceph, EVENTLAKE_TEST_STOP_AT=step))
    zombie_keys = hook_stop(zombie, step)
    assert zombie_keys and all(f"/{topic}+0+0-" in k for k in zombie_keys), zombie_keys
    harness.produce(brokers, topic, batch(40, 70))  # the owner's first batch is 0-69: other names
    owner = procs.start(args, "owner", env=s3_env(ceph, EVENTLAKE_TEST_STOP_AT="commit"))
    owner_keys = hook_stop(owner, "commit")
    keys = bucket_keys(ceph, s3_bucket, "lake/")
    assert set(owner_keys) <= set(keys) and not set(zombie_keys) & set(keys), keys
    assert progress(ceph, s3_bucket, "lake/", topic) == {}  # claimed by the owner, nothing landed
    os.kill(zombie.popen.pid, signal.SIGCONT)
    # The zombie's Complete fails (NoSuchUpload, or Ceph 16's 500 "multipart completion is already
    # in progress": it drops the batch as for any passing error and its retry finds the partition
    # claimed), or its commit fails (412).
    harness.wait_until(lambda: "dropping this batch" in zombie.output() or
                       "not recovered here" in zombie.output(), 60, "the resumed lander to drop its batch")
    assert progress(ceph, s3_bucket, "lake/", topic) == {}
    assert set(owner_keys) <= set(bucket_keys(ceph, s3_bucket, "lake/"))
    os.kill(owner.popen.pid, signal.SIGCONT)
    harness.wait_until(lambda: progress(ceph, s3_bucket, "lake/", topic) == {0: 70}, 60,
                       "the owner to commit\n" + owner.output())
    harness.produce(brokers, topic, batch(70, 90))
    harness.wait_until(lambda: progress(ceph, s3_bucket, "lake/", topic) == {0: 90}, 60,
                       "the rest to land\n" + owner.output() + zombie.output())
    assert zombie.stop(signal.SIGTERM) == 0, zombie.output()
    assert owner.stop(signal.SIGTERM) == 0, owner.output()
    keys = bucket_keys(ceph, s3_bucket, "lake/")
    assert not set(zombie_keys) & set(keys), keys
    assert not [k for k in keys if k.startswith("_staging/")], keys
    assert not ceph.s3().list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    ids = landed_ids(ceph, s3_bucket, topic, tmp_path / "copy")
    assert sorted(ids) == list(range(90)), ids


def test_dedup_window_survives_a_restart_on_s3(ceph, s3_bucket, brokers, tmp_path):
    """A restarted lander reads the ids of the bucket's newest committed files into its dedup window:
    a retry of events landed before the restart is not landed again."""
    topic = harness.topic_name("s3dd")
    harness.create_topic(brokers, topic, 2)
    ev = lambda i: json.dumps({"event_type": "e", "event_id": f"id{i}", "i": i})
    harness.produce(brokers, topic, [ev(0), ev(1), ev(2)], partition=0)
    harness.produce(brokers, topic, [ev(3)], partition=1)
    lake = f"s3://{s3_bucket}/lake"
    out = land_s3(ceph, brokers, lake, topic, "--mode", "append").stdout
    assert "landed 4 events" in out, out
    harness.produce(brokers, topic, [ev(1), ev(4)], partition=0)  # id1 retried after it landed
    harness.produce(brokers, topic, [ev(3)], partition=1)
    out = land_s3(ceph, brokers, lake, topic, "--mode", "append").stdout
    assert "landed 1 events" in out and "2 duplicates dropped" in out, out
    assert sorted(landed_ids(ceph, s3_bucket, topic, tmp_path / "copy")) == [0, 1, 2, 3, 4]
