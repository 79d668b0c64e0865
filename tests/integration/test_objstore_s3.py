"""The S3 object store (src/objstore/) against a real S3 server: Ceph's RADOS gateway started on
loopback by the `ceph` fixture. `objstore_s3_check` drives eventlake's client; boto3 checks, on its
own, what is in the bucket."""
import hashlib
import os
import signal
import subprocess
import threading
import time

import pytest

CHECK = os.environ.get("OBJSTORE_S3_CHECK") or os.path.join(
    os.path.dirname(os.environ.get("EVENTLAKE_BIN", os.path.join(os.path.dirname(__file__),
                                                                 "../../build/eventlake"))),
    "objstore_s3_check")


def run(ceph, location, *args, env=None, check=True, timeout=120):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(ceph.env())
    e["AWS_CONFIG_FILE"] = "/nonexistent"
    e["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent"
    e.update(env or {})
    p = subprocess.run([CHECK, location, *args], capture_output=True, env=e, timeout=timeout)
    if check:
        assert p.returncode == 0, f"{args}: exit {p.returncode}: {p.stderr.decode(errors='replace')}"
    return p


def test_put_get_range_head_delete(ceph, s3_bucket):
    loc = f"s3://{s3_bucket}/lake"
    run(ceph, loc, "put", "events/event_type=purchase/a.parquet", "0123456789")
    s3 = ceph.s3()
    body = s3.get_object(Bucket=s3_bucket, Key="lake/events/event_type=purchase/a.parquet")["Body"].read()
    assert body == b"0123456789"
    assert run(ceph, loc, "get", "events/event_type=purchase/a.parquet").stdout == b"0123456789"
    assert run(ceph, loc, "get-range", "events/event_type=purchase/a.parquet", "3", "4").stdout == b"3456"
    assert run(ceph, loc, "get-range", "events/event_type=purchase/a.parquet", "8", "100").stdout == b"89"
    size, etag = run(ceph, loc, "head", "events/event_type=purchase/a.parquet").stdout.decode().split()
    head = s3.head_object(Bucket=s3_bucket, Key="lake/events/event_type=purchase/a.parquet")
    assert int(size) == 10 and etag == head["ETag"].strip('"') == hashlib.md5(b"0123456789").hexdigest()
    missing = run(ceph, loc, "get", "events/nope", check=False)
    assert missing.returncode == 1 and b"NOT_FOUND: not found: GET" in missing.stderr, missing.stderr
    run(ceph, loc, "delete", "events/event_type=purchase/a.parquet")
    run(ceph, loc, "delete", "events/event_type=purchase/a.parquet")  # missing: fine
    assert s3.list_objects_v2(Bucket=s3_bucket).get("KeyCount") == 0


def test_keys_with_hive_encoded_and_unusual_characters(ceph, s3_bucket):
    key = "t/event_type=a%2Fb%20c/dt=2024-01-01/x+y é~(1).parquet"
    run(ceph, f"s3://{s3_bucket}", "put", key, "v")
    s3 = ceph.s3()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]] == [key]
    assert s3.get_object(Bucket=s3_bucket, Key=key)["Body"].read() == b"v"
    out = run(ceph, f"s3://{s3_bucket}", "list", "t/").stdout.decode()
    assert f"K {key} 1" in out


def test_list_pages_and_delimiter(ceph, s3_bucket):
    s3 = ceph.s3()
    keys = [f"lake/t/dt=2024-01-0{d}/f{i:02d}.parquet" for d in (1, 2, 3) for i in range(9)]
    keys += ["lake/t/_schema/v1.json", "lake/other/x", "outside/y"]
    for k in keys:
        s3.put_object(Bucket=s3_bucket, Key=k, Body=b"x" * 3)
    out = run(ceph, f"s3://{s3_bucket}/lake", "list", "t/", "", "5").stdout.decode().splitlines()
    listed = [line.split()[1] for line in out if line.startswith("K ")]
    want = sorted(k[len("lake/"):] for k in keys if k.startswith("lake/t/"))
    assert listed == want
    assert out[-1] == "pages 6"  # 28 keys, 5 a page
    out = run(ceph, f"s3://{s3_bucket}/lake", "list", "t/", "/", "2").stdout.decode().splitlines()
    assert [line for line in out if line.startswith("P ")] == [
        "P t/_schema/", "P t/dt=2024-01-01/", "P t/dt=2024-01-02/", "P t/dt=2024-01-03/"]
    assert not [line for line in out if line.startswith("K ")]
    assert out[-1] == "pages 2"


def test_list_more_than_1000_keys_and_delete_many(ceph, s3_bucket):
    s3 = ceph.s3()
    keys = [f"many/k{i:05d}" for i in range(1100)]
    # Batches of keys through eventlake's own client would be slow one process each: boto3 puts them
    # from threads, eventlake lists and deletes them.
    def put(chunk):
        c = ceph.s3()
        for k in chunk:
            c.put_object(Bucket=s3_bucket, Key=k, Body=b"")
    threads = [threading.Thread(target=put, args=(keys[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = run(ceph, f"s3://{s3_bucket}", "list", "many/").stdout.decode().splitlines()
    assert [line.split()[1] for line in out if line.startswith("K ")] == keys
    assert out[-1] == "pages 2"
    run(ceph, f"s3://{s3_bucket}", "delete-many", *keys[:1050])
    left = s3.list_objects_v2(Bucket=s3_bucket, Prefix="many/")
    assert [o["Key"] for o in left["Contents"]] == keys[1050:]


def test_multipart_upload_of_a_large_file(ceph, s3_bucket, tmp_path):
    data = os.urandom(12 * 1024 * 1024 + 12345)
    src = tmp_path / "big.parquet"
    src.write_bytes(data)
    env = {"EVENTLAKE_S3_PART_SIZE": str(5 * 1024 * 1024)}
    run(ceph, f"s3://{s3_bucket}/lake", "put-file", "t/big.parquet", str(src), env=env)
    s3 = ceph.s3()
    obj = s3.get_object(Bucket=s3_bucket, Key="lake/t/big.parquet")
    assert obj["Body"].read() == data
    assert obj["ETag"].strip('"').endswith("-3")  # three parts
    assert not s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    back = tmp_path / "back"
    run(ceph, f"s3://{s3_bucket}/lake", "get-file", "t/big.parquet", str(back))
    assert back.read_bytes() == data
    # A file at or below the part size goes in one PUT.
    small = tmp_path / "small"
    small.write_bytes(b"s" * 1000)
    run(ceph, f"s3://{s3_bucket}/lake", "put-file", "t/small", str(small), env=env)
    assert "-" not in s3.head_object(Bucket=s3_bucket, Key="lake/t/small")["ETag"]


def test_failed_multipart_upload_is_aborted(ceph, s3_bucket, tmp_path):
    # Parts below S3's 5 MiB minimum: the server refuses to complete the upload, and the client
    # must abort it rather than leave its parts behind.
    src = tmp_path / "f"
    src.write_bytes(os.urandom(300 * 1024))
    p = run(ceph, f"s3://{s3_bucket}", "put-file", "t/f", str(src),
            env={"EVENTLAKE_S3_PART_SIZE": str(100 * 1024)}, check=False)
    assert p.returncode == 1
    assert b"EntityTooSmall" in p.stderr, p.stderr
    s3 = ceph.s3()
    assert not s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    assert s3.list_objects_v2(Bucket=s3_bucket).get("KeyCount") == 0
    assert run(ceph, f"s3://{s3_bucket}", "uploads").stdout == b""


@pytest.mark.parametrize("which", ["secret", "access_key"])
def test_wrong_credentials_say_bad_credentials(ceph, s3_bucket, which):
    bad = {"AWS_SECRET_ACCESS_KEY": "not-the-secret"} if which == "secret" else \
        {"AWS_ACCESS_KEY_ID": "NOSUCHKEY0000000000"}
    for args in (["check"], ["put", "k", "v"], ["get", "k"], ["list", ""]):
        p = run(ceph, f"s3://{s3_bucket}", *args, env=bad, check=False)
        assert p.returncode == 1, args
        err = p.stderr.decode()
        assert "bad credentials" in err, (args, err)
        assert "SignatureDoesNotMatch" in err or "InvalidAccessKeyId" in err, err
    assert ceph.s3().list_objects_v2(Bucket=s3_bucket).get("KeyCount") == 0


def test_missing_bucket(ceph):
    for args in (["check"], ["put", "k", "v"], ["list", ""]):
        p = run(ceph, "s3://no-such-bucket-here/lake", *args, check=False)
        assert p.returncode == 1, args
        err = p.stderr.decode()
        assert "does not exist" in err and "no-such-bucket-here" in err, (args, err)


def test_missing_credentials(ceph, s3_bucket):
    p = run(ceph, f"s3://{s3_bucket}", "check", env={"AWS_ACCESS_KEY_ID": ""}, check=False)
    assert p.returncode == 1
    assert b"no S3 credentials" in p.stderr


def test_clock_skew_names_both_times(ceph, s3_bucket):
    p = run(ceph, f"s3://{s3_bucket}", "put", "k", "v",
            env={"EVENTLAKE_S3_CLOCK_OFFSET_S": str(-3 * 3600)}, check=False)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert "clock skew: the server's time is" in err and ", ours is " in err, err


def test_config_from_the_aws_files(ceph, s3_bucket, tmp_path):
    (tmp_path / "config").write_text(f"[profile ceph]\nregion = us-east-1\nendpoint_url = {ceph.endpoint}\n"
                                     "s3 =\n  addressing_style = path\n")
    (tmp_path / "credentials").write_text(f"[ceph]\naws_access_key_id = {ceph.access_key}\n"
                                          f"aws_secret_access_key = {ceph.secret_key}\n")
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update({"AWS_CONFIG_FILE": str(tmp_path / "config"),
              "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_PROFILE": "ceph"})
    p = subprocess.run([CHECK, f"s3://{s3_bucket}", "put", "from-files", "ok"], env=e,
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert ceph.s3().get_object(Bucket=s3_bucket, Key="from-files")["Body"].read() == b"ok"


def test_retries_until_a_restarted_gateway_answers(ceph, s3_bucket):
    ceph.stop_gateway()
    try:
        p = run(ceph, f"s3://{s3_bucket}", "put", "k", "v",
                env={"EVENTLAKE_S3_MAX_ATTEMPTS": "1"}, check=False)
        assert p.returncode == 1 and b"cannot reach the S3 endpoint" in p.stderr, p.stderr
        # The client keeps retrying (backoff with jitter) while the gateway comes back.
        proc = subprocess.Popen([CHECK, f"s3://{s3_bucket}", "put", "k", "v"],
                                env={**os.environ, **ceph.env(), "EVENTLAKE_S3_MAX_ATTEMPTS": "12",
                                     "AWS_CONFIG_FILE": "/nonexistent"},
                                stderr=subprocess.PIPE)
    finally:
        ceph.start_gateway()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert ceph.s3().get_object(Bucket=s3_bucket, Key="k")["Body"].read() == b"v"


def test_local_directory_store_behaves_alike(tmp_path):
    loc = str(tmp_path / "lake")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}

    def local(*args, check=True):
        p = subprocess.run([CHECK, loc, *args], capture_output=True, env=env, timeout=30)
        if check:
            assert p.returncode == 0, p.stderr
        return p

    local("put", "t/dt=1/a", "0123456789")
    assert (tmp_path / "lake/t/dt=1/a").read_bytes() == b"0123456789"
    assert local("get-range", "t/dt=1/a", "2", "3").stdout == b"234"
    assert local("list", "t/", "/").stdout.decode().splitlines() == ["P t/dt=1/", "pages 1"]
    local("delete", "t/dt=1/a")
    assert not (tmp_path / "lake/t").exists()
    assert local("get", "t/dt=1/a", check=False).returncode == 1


def test_virtual_host_addressing(ceph, s3_bucket):
    # curl resolves BUCKET.localhost to the loopback address; the gateway's rgw dns name is localhost.
    env = {"AWS_ENDPOINT_URL": f"http://localhost:{ceph.rgw_port}",
           "EVENTLAKE_S3_ADDRESSING_STYLE": "virtual"}
    run(ceph, f"s3://{s3_bucket}/vh", "put", "a/b", "virtual", env=env)
    assert ceph.s3().get_object(Bucket=s3_bucket, Key="vh/a/b")["Body"].read() == b"virtual"
    assert run(ceph, f"s3://{s3_bucket}/vh", "list", "", env=env).stdout.decode().splitlines() == [
        "K a/b 7", "pages 1"]
    log = open(os.path.join(ceph.root, "log", "client.rgw.test.log"), errors="replace").read()
    assert "PUT /vh/a/b" in log  # the bucket was in the Host header, not in the path


def test_conditional_puts_fence_the_progress_record(ceph, s3_bucket):
    loc = f"s3://{s3_bucket}/lake"
    key = "_progress/events/0.next"
    etag1 = run(ceph, loc, "put-if", key, "100", "absent").stdout.decode().strip()
    again = run(ceph, loc, "put-if", key, "101", "absent", check=False)
    assert again.returncode == 1 and b"precondition failed" in again.stderr, again.stderr
    s3 = ceph.s3()
    assert s3.head_object(Bucket=s3_bucket, Key=f"lake/{key}")["ETag"].strip('"') == etag1
    etag2 = run(ceph, loc, "put-if", key, "200", etag1).stdout.decode().strip()
    assert etag2 != etag1
    stale = run(ceph, loc, "put-if", key, "201", etag1, check=False)
    assert stale.returncode == 1 and b"precondition failed" in stale.stderr
    assert s3.get_object(Bucket=s3_bucket, Key=f"lake/{key}")["Body"].read() == b"200"
    # Eight writers that read the same record race to move it: exactly one wins.
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(ceph.env())
    e["AWS_CONFIG_FILE"] = "/nonexistent"
    racers = [subprocess.Popen([CHECK, loc, "put-if", key, f"3{i:02d}", etag2], env=e,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(8)]
    results = [(r.wait(60), r.stdout.read().decode().strip()) for r in racers]
    winners = [i for i, (rc, _) in enumerate(results) if rc == 0]
    assert len(winners) == 1, results
    body = s3.get_object(Bucket=s3_bucket, Key=f"lake/{key}")["Body"].read()
    assert body == f"3{winners[0]:02d}".encode()


def test_local_directory_and_s3_answer_alike(ceph, s3_bucket, tmp_path):
    """The same operations on both ObjectStore implementations give the same answers, so the lake
    can use one interface for both."""
    keys = ["t/_schema/v1.json", "t/dt=2024-01-01/a.parquet", "t/dt=2024-01-01/b.parquet",
            "t/dt=2024-01-02/hour=09/c.parquet", "t/x", "tz", "u/v/w"]
    ops = [["list", ""], ["list", "t/"], ["list", "t/", "/"], ["list", "t/", "/", "2"],
           ["list", "t/dt", "/", "1"], ["list", "t/dt=2024-01-01/", "", "1"], ["list", "nothing/"],
           ["get-range", "t/x", "1", "2"], ["get-range", "t/x", "3", "10"], ["head-size", "u/v/w"],
           ["get", "missing/key"], ["delete", "t/x"], ["list", "t/", "/"]]
    answers = []
    for loc, env in ((f"s3://{s3_bucket}/lake", None), (str(tmp_path / "lake"), None)):
        for i, k in enumerate(keys):
            run(ceph, loc, "put", k, "abcd"[: i % 4 + 1] + "xyz")
        out = []
        for op in ops:
            if op[0] == "head-size":
                out.append(run(ceph, loc, "head", op[1]).stdout.split()[0])
                continue
            p = run(ceph, loc, *op, check=False)
            out.append((p.returncode, p.stdout, p.stderr.split(b":")[0]))
        answers.append(out)
    for op, s3_answer, local_answer in zip(ops, *answers):
        assert s3_answer == local_answer, op


def test_multipart_upload_survives_a_gateway_killed_midway(ceph, s3_bucket, tmp_path):
    data = os.urandom(40 * 1024 * 1024)
    src = tmp_path / "big"
    src.write_bytes(data)
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(ceph.env())
    e.update({"AWS_CONFIG_FILE": "/nonexistent", "EVENTLAKE_S3_PART_SIZE": str(5 * 1024 * 1024),
              "EVENTLAKE_S3_MAX_ATTEMPTS": "12"})
    proc = subprocess.Popen([CHECK, f"s3://{s3_bucket}", "put-file", "big", str(src)], env=e,
                            stderr=subprocess.PIPE)
    s3 = ceph.s3()

    def parts_stored():
        uploads = s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads") or []
        return any(s3.list_parts(Bucket=s3_bucket, Key=u["Key"], UploadId=u["UploadId"]).get("Parts")
                   for u in uploads)

    # Killed once a part is stored (midway), not between the upload's creation and its answer: an
    # upload whose CreateMultipartUpload answer was lost is one the client never heard of.
    deadline = time.monotonic() + 60
    while not parts_stored():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    ceph.restart_gateway(signal.SIGKILL)  # parts in flight fail; the client retries them
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert s3.get_object(Bucket=s3_bucket, Key="big")["Body"].read() == data
    assert not s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
