"""`eventlake compact` and `eventlake replay-dead-letter` on a lake in S3 (Ceph's RADOS gateway, the
`ceph` fixture), docs/formats/lake_on_s3.md "Compaction" and "Replaying dead letters". The lake is
landed by `eventlake land --lake s3://...`; boto3 checks the bucket on its own, and DuckDB reads
the downloaded objects with read_parquet, apart from eventlake's S3 reader."""
import json
import os
import signal
import socket
import subprocess

import harness
from test_land_s3 import bucket_keys, download, land_s3, progress, s3_env

DAYS = ["2026-03-01", "2026-03-02", "2026-03-03"]


def events(n, start=0):
    return [json.dumps({"event_type": ["buy", "view"][i % 2], "i": i, "user": f"u{i % 5}",
                        "ts": f"{DAYS[i % 3]}T10:00:00Z"}) for i in range(start, start + n)]


def s3_cmd(ceph, tmp_path, args, check=True):
    env = s3_env(ceph, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    return harness.run(args, env=env, check=check, timeout=180)


def s3_scalar(ceph, tmp_path, lake, sql):
    out = s3_cmd(ceph, tmp_path, ["query", "--lake", lake, "--format", "csv", sql]).stdout
    return out.strip().splitlines()[1:]


def data_keys(ceph, bucket, prefix, table):
    """The visible Parquet files under `table` (a folder), as keys relative to `prefix`."""
    return [f"{table}/{k}" for k in bucket_keys(ceph, bucket, f"{prefix}{table}/")
            if k.endswith(".parquet") and not any(p.startswith(("_", ".")) for p in k.split("/"))]


def parquet_rows(copy, table, sql_tail):
    """Rows of DuckDB's read_parquet over the downloaded objects of `table` (no eventlake view)."""
    sql = (f"SELECT user, count(*) AS n, count(DISTINCT _offset) AS d FROM read_parquet("
           f"'{copy}/{table}/**/*.parquet', hive_partitioning=false, union_by_name=true) {sql_tail}")
    return harness.run(["query", "--lake", str(copy), "--format", "csv", sql]).stdout


PER_USER = f'SELECT user, count(*) AS n, count(DISTINCT _offset) AS d FROM "{{t}}" GROUP BY 1 ORDER BY 1'


def test_compact_merges_closed_partitions_in_the_bucket(ceph, s3_bucket, brokers, tmp_path):
    topic = harness.topic_name("s3c")
    harness.create_topic(brokers, topic, 1)
    harness.produce(brokers, topic, events(60))
    lake = f"s3://{s3_bucket}/lake"
    for start in range(0, 60, 10):  # six batches: six small files in every (type, day) folder
        land_s3(ceph, brokers, lake, topic, "--partition-by", "dt", "--event-time-field", "ts",
                "--mode", "append", "--from", str(start), "--to", str(start + 10))
    before_keys = data_keys(ceph, s3_bucket, "lake/", topic)
    assert len(before_keys) == 36, before_keys
    before = s3_cmd(ceph, tmp_path, ["query", "--lake", lake, "--format", "csv",
                                     PER_USER.format(t=topic)]).stdout
    records = progress(ceph, s3_bucket, "lake/", topic)
    assert records == {0: 60}

    out = s3_cmd(ceph, tmp_path, ["compact", topic, "--lake", lake]).stdout
    # Closed: the two older days of each type (the newest day is left to the landers).
    assert out.startswith(f"compacted {topic}: 4 folders, 24 files -> 4 files, 40 rows"), out
    after_keys = data_keys(ceph, s3_bucket, "lake/", topic)
    assert len(after_keys) == 16, after_keys
    for t in ["buy", "view"]:
        for day in DAYS[:2]:
            folder = [k for k in after_keys if k.startswith(f"{topic}/event_type={t}/dt={day}/")]
            assert len(folder) == 1, after_keys
        assert len([k for k in after_keys if f"event_type={t}/dt={DAYS[2]}/" in k]) == 6
    merged = [k.rsplit("/", 1)[1] for k in after_keys if f"dt={DAYS[0]}/" in k]
    assert all(n.startswith(f"{topic}+0+") for n in merged), merged
    keys = bucket_keys(ceph, s3_bucket, "lake/")
    assert not [k for k in keys if k.startswith("_staging/")], keys  # lock and manifests gone
    assert not ceph.s3().list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    assert progress(ceph, s3_bucket, "lake/", topic) == records

    # The same rows, read by eventlake's S3 reader and by DuckDB over the downloaded objects.
    assert s3_cmd(ceph, tmp_path, ["query", "--lake", lake, "--format", "csv",
                                   PER_USER.format(t=topic)]).stdout == before
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert parquet_rows(copy, topic, "GROUP BY 1 ORDER BY 1") == before
    assert s3_scalar(ceph, tmp_path, lake, f'SELECT count(*), sum(i) FROM "{topic}_buy"') == [
        f"30,{sum(range(0, 60, 2))}"]

    again = s3_cmd(ceph, tmp_path, ["compact", topic, "--lake", lake]).stdout
    assert again.strip() == f"nothing to compact in {topic}", again
    assert data_keys(ceph, s3_bucket, "lake/", topic) == after_keys

    # The lander reads on after the merged files' ranges.
    harness.produce(brokers, topic, events(4, start=60))
    out = land_s3(ceph, brokers, lake, topic, "--partition-by", "dt", "--event-time-field", "ts",
                  "--mode", "append").stdout
    assert "landed 4 events" in out, out
    assert s3_scalar(ceph, tmp_path, lake, f'SELECT count(*), count(DISTINCT _offset) FROM "{topic}"') == ["64,64"]


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_a_merge_left_before_its_inputs_were_deleted_counts_once_and_is_finished(
        ceph, s3_bucket, brokers, tmp_path):
    topic = harness.topic_name("s3cc")
    harness.create_topic(brokers, topic, 1)
    harness.produce(brokers, topic, events(30))
    lake = f"s3://{s3_bucket}/lake"
    for start in range(0, 30, 10):
        land_s3(ceph, brokers, lake, topic, "--mode", "append", "--from", str(start), "--to", str(start + 10))
    s3 = ceph.s3()
    folder = f"{topic}/event_type=buy"
    inputs = sorted(k for k in data_keys(ceph, s3_bucket, "lake/", topic) if k.startswith(folder + "/"))
    assert [k.rsplit("/", 1)[1] for k in inputs] == [f"{topic}+0+{a}-{a + 9}.parquet" for a in (0, 10, 20)]
    # What a compaction that died between completing its merged file and deleting its inputs
    # leaves: the merged file (made here with DuckDB from the downloaded inputs) beside them.
    local = tmp_path / "inputs"
    local.mkdir()
    for k in inputs[:2]:
        s3.download_file(s3_bucket, "lake/" + k, str(local / k.rsplit("/", 1)[1]))
    merged = tmp_path / f"{topic}+0+0-19.parquet"
    harness.run(["query", "--lake", str(local), f"COPY (SELECT * FROM read_parquet('{local}/*.parquet') "
                 f"ORDER BY _offset) TO '{merged}' (FORMAT parquet)"])
    s3.upload_file(str(merged), s3_bucket, f"lake/{folder}/{merged.name}")
    # ... and an unfinished upload its manifest names, and its lock (a process that is gone).
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key=f"lake/{folder}/{topic}+0+0-29.parquet")
    s3.upload_part(Bucket=s3_bucket, Key=f"lake/{folder}/{topic}+0+0-29.parquet", PartNumber=1,
                   UploadId=up["UploadId"], Body=merged.read_bytes())
    manifest = {"lander": "gone", "partitions": [],
                "uploads": [{"key": f"{folder}/{topic}+0+0-29.parquet", "upload_id": ""}]}
    s3.put_object(Bucket=s3_bucket, Key=f"lake/_staging/_compact/{topic}/gone.json",
                  Body=json.dumps(manifest).encode())
    lock = {"host": socket.gethostname(), "pid": dead_pid(), "started": 2000000000}
    s3.put_object(Bucket=s3_bucket, Key=f"lake/_staging/_compact/{topic}.lock", Body=json.dumps(lock).encode())

    # eventlake query reads the merged file and not the two it covers: every event once.
    assert s3_scalar(ceph, tmp_path, lake, f'SELECT count(*), count(DISTINCT _offset) FROM "{topic}_buy"') == ["15,15"]
    assert s3_scalar(ceph, tmp_path, lake, f'SELECT count(*) FROM "{topic}"') == ["30"]

    out = s3_cmd(ceph, tmp_path, ["compact", topic, "--lake", lake]).stdout
    assert "2 superseded files removed" in out, out
    assert out.startswith(f"compacted {topic}: 2 folders, 5 files -> 2 files, 30 rows"), out
    after = data_keys(ceph, s3_bucket, "lake/", topic)
    assert sorted(k.split("/", 1)[1] for k in after) == [
        f"event_type=buy/{topic}+0+0-29.parquet", f"event_type=view/{topic}+0+0-29.parquet"], after
    assert not ceph.s3().list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    assert not [k for k in bucket_keys(ceph, s3_bucket, "lake/") if k.startswith("_staging/")]
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert parquet_rows(copy, topic, "GROUP BY 1 ORDER BY 1") == s3_cmd(
        ceph, tmp_path, ["query", "--lake", lake, "--format", "csv", PER_USER.format(t=topic)]).stdout
    assert harness.scalar(copy, f'SELECT count(DISTINCT _offset) FROM "{topic}"') == "30"


def landed_in_two_batches(ceph, s3_bucket, brokers, prefix):
    """A new topic of 20 events landed into the bucket's lake in two appended batches of 10."""
    topic = harness.topic_name(prefix)
    harness.create_topic(brokers, topic, 1)
    harness.produce(brokers, topic, events(20))
    lake = f"s3://{s3_bucket}/lake"
    for start in (0, 10):
        land_s3(ceph, brokers, lake, topic, "--mode", "append", "--from", str(start), "--to", str(start + 10))
    return topic, lake


def test_a_running_compaction_s_lock_is_respected_and_errors_are_clear(ceph, s3_bucket, brokers, tmp_path):
    topic, lake = landed_in_two_batches(ceph, s3_bucket, brokers, "s3cl")
    s3 = ceph.s3()
    held = {"host": socket.gethostname(), "pid": os.getpid(), "started": 4000000000}
    s3.put_object(Bucket=s3_bucket, Key=f"lake/_staging/_compact/{topic}.lock", Body=json.dumps(held).encode())
    cp = s3_cmd(ceph, tmp_path, ["compact", f"{topic}_buy", "--lake", lake], check=False)
    assert cp.returncode == 1 and "being compacted by process" in cp.stderr, cp.stderr
    assert len(data_keys(ceph, s3_bucket, "lake/", topic)) == 4
    s3.delete_object(Bucket=s3_bucket, Key=f"lake/_staging/_compact/{topic}.lock")
    # An event type's table: only its folder is merged.
    out = s3_cmd(ceph, tmp_path, ["compact", f"{topic}_buy", "--lake", lake]).stdout
    assert out.startswith(f"compacted {topic}_buy: 1 folder, 2 files -> 1 files, 10 rows"), out
    assert len(data_keys(ceph, s3_bucket, "lake/", f"{topic}/event_type=view")) == 2

    cp = s3_cmd(ceph, tmp_path, ["compact", "nope", "--lake", lake], check=False)
    assert cp.returncode == 1 and "no table nope" in cp.stderr, cp.stderr
    cp = s3_cmd(ceph, tmp_path, ["compact", topic, "--lake", "s3://no-such-bucket-here/lake"], check=False)
    assert cp.returncode == 1 and "no-such-bucket-here" in cp.stderr, cp.stderr
    env = s3_env(ceph, XDG_CACHE_HOME=str(tmp_path / "xdg"), AWS_SECRET_ACCESS_KEY="wrong")
    cp = harness.run(["compact", topic, "--lake", lake], env=env, check=False)
    assert cp.returncode == 1 and "credentials" in cp.stderr.lower(), cp.stderr
    cp = harness.run(["compact", topic, "--lake", str(tmp_path), "--cache-size", "1G"], check=False)
    assert cp.returncode == 2 and "s3:// lake only" in cp.stderr, cp.stderr


def test_replay_dead_letter_on_s3_replays_once(ceph, s3_bucket, brokers, tmp_path):
    topic = harness.topic_name("s3r")
    fixed = harness.topic_name("s3fixed")
    harness.create_topic(brokers, topic, 1)
    harness.produce(brokers, topic, ['{"event_type":"a"}', "not json", "[1]"], key="k1")
    lake = f"s3://{s3_bucket}/lake"
    land_s3(ceph, brokers, lake, topic)
    replay = ["replay-dead-letter", "--lake", lake, "--table", topic, "--brokers", brokers]
    out = s3_cmd(ceph, tmp_path, replay + ["--topic", fixed]).stdout
    assert out.strip() == (f"replayed 2 dead letters from {topic}_dead_letter to topic {fixed} "
                           "(0 already replayed before)"), out
    got = harness.kcat(["-C", "-b", brokers, "-t", fixed, "-o", "beginning", "-e", "-f", "%k=%s\n"])
    assert sorted(got.stdout.decode().splitlines()) == ["k1=[1]", "k1=not json"]
    ledger = ceph.s3().get_object(Bucket=s3_bucket, Key=f"lake/{topic}_dead_letter/_replayed.tsv")
    assert ledger["Body"].read().decode() == f"{topic}\t0\t1\n{topic}\t0\t2\n"
    out = s3_cmd(ceph, tmp_path, replay + ["--topic", fixed]).stdout
    assert out.strip() == f"nothing to replay in {topic}_dead_letter (2 rows already replayed)", out

    # Replayed to their source topic, the values land again as new events (here: still bad, so
    # new dead letters at new offsets), and the ledger grows by them only.
    harness.produce(brokers, topic, ["{broken"])
    land_s3(ceph, brokers, lake, topic, "--mode", "append")
    out = s3_cmd(ceph, tmp_path, replay).stdout
    assert out.startswith("replayed 1 dead letters") and "to their source topics" in out, out
    land_s3(ceph, brokers, lake, topic, "--mode", "append")
    rows = s3_scalar(ceph, tmp_path, lake, f'SELECT _offset, raw FROM "{topic}_dead_letter" ORDER BY _offset')
    assert rows == ["1,not json", "2,[1]", "3,{broken", "4,{broken"], rows
    out = s3_cmd(ceph, tmp_path, replay).stdout
    assert out.startswith("replayed 1 dead letters") and "(3 already replayed before)" in out, out
    out = s3_cmd(ceph, tmp_path, replay).stdout
    assert out.strip() == f"nothing to replay in {topic}_dead_letter (4 rows already replayed)", out

    cp = s3_cmd(ceph, tmp_path, ["replay-dead-letter", "--lake", lake, "--table", "nope", "--brokers",
                                 brokers], check=False)
    assert cp.returncode == 1 and "no dead-letter table nope_dead_letter" in cp.stderr, cp.stderr
    assert f"s3://{s3_bucket}/lake" in cp.stderr


def test_landing_recovery_deletes_what_a_merged_file_supersedes(ceph, s3_bucket, brokers, tmp_path):
    topic, lake = landed_in_two_batches(ceph, s3_bucket, brokers, "s3cr")
    s3 = ceph.s3()
    folder = f"{topic}/event_type=view"
    local = tmp_path / "inputs"
    local.mkdir()
    for k in data_keys(ceph, s3_bucket, "lake/", folder):
        s3.download_file(s3_bucket, "lake/" + k, str(local / k.rsplit("/", 1)[1]))
    merged = tmp_path / f"{topic}+0+0-19.parquet"
    harness.run(["query", "--lake", str(local), f"COPY (SELECT * FROM read_parquet('{local}/*.parquet') "
                 f"ORDER BY _offset) TO '{merged}' (FORMAT parquet)"])
    s3.upload_file(str(merged), s3_bucket, f"lake/{folder}/{merged.name}")
    # The next landing's recovery finishes the compaction that died: only the merged file stays.
    harness.produce(brokers, topic, events(2, start=20))
    assert "landed 2 events" in land_s3(ceph, brokers, lake, topic, "--mode", "append").stdout
    assert data_keys(ceph, s3_bucket, "lake/", folder) == [
        f"{folder}/{topic}+0+0-19.parquet", f"{folder}/{topic}+0+20-21.parquet"]
    copy = download(ceph, s3_bucket, "lake/", tmp_path / "copy")
    assert harness.scalar(copy, f'SELECT count(*) FROM "{topic}_view"') == "11"
    assert harness.scalar(copy, f'SELECT count(DISTINCT _offset) FROM "{topic}"') == "22"
