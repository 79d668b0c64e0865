"""`eventlake query|schema|ddl --lake s3://...` over a lake in a Ceph RADOS gateway (the `ceph`
fixture). The lake is landed into a local folder by `eventlake land` and uploaded key for path with
boto3 (s3_lake.py); the local lake's answers are the judge of the S3 lake's."""
import json
import os
import re

import harness
from harness import land, produce, query, topic_name
from s3_lake import progress, put_progress, upload_lake, upload_uncommitted

TYPES = ["buy", "view", "login"]


def events(n):
    return [json.dumps({"event_type": TYPES[i % 3], "i": i, "user": f"u{i % 7}",
                        "ts": f"2026-0{1 + i % 3}-0{1 + i % 2}T0{i % 4}:15:00Z"}) for i in range(n)]


def s3_env(ceph, tmp_path):
    env = dict(ceph.env())
    env.update({"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    return env


def s3_run(ceph, tmp_path, args, check=True):
    return harness.run(args, env=s3_env(ceph, tmp_path), check=check)


def s3_query(ceph, tmp_path, lake, sql, *extra):
    cp = s3_run(ceph, tmp_path, ["query", "--lake", lake, "--format", "csv", *extra, sql])
    return cp.stdout, cp.stderr


def report(stderr):
    """The numbers of `--fetch-report`'s line."""
    m = re.search(r"listed (\d+) objects; (\d+) data files needed \((\d+) left out by Hive filters, "
                  r"(\d+) uncommitted skipped\); fetched (\d+) \(([\d.]+) MB\), (\d+) from the cache", stderr)
    assert m, stderr
    keys = ["listed", "needed", "pruned", "uncommitted", "fetched", "mb", "hits"]
    return {k: float(v) if k == "mb" else int(v) for k, v in zip(keys, m.groups())}


def landed_lake(brokers, tmp_path, n=120):
    topic = topic_name()
    lake = tmp_path / "lake"
    produce(brokers, topic, events(n))
    land(brokers, lake, topic, "--partition-by", "dt,hour", "--event-time-field", "ts")
    return topic, lake


def local_csv(lake, sql):
    return harness.run(["query", "--lake", str(lake), "--format", "csv", sql]).stdout


def test_query_reads_records_that_name_an_owner(brokers, ceph, s3_bucket, tmp_path):
    """Records written by a lander that claimed its partitions (an owner line, `none` for a
    partition claimed before anything landed) commit what the offset says, like plain ones."""
    topic, lake = landed_lake(brokers, tmp_path, n=30)
    s3 = ceph.s3()
    upload_lake(s3, s3_bucket, "lakes/owned", lake)
    url = f"s3://{s3_bucket}/lakes/owned"
    put_progress(s3, s3_bucket, "lakes/owned", topic, 0, 30, owner="host-1-2", epoch=3)
    put_progress(s3, s3_bucket, "lakes/owned", topic, 1, "none", owner="host-1-2", epoch=1)
    out, _ = s3_query(ceph, tmp_path, url, f'SELECT count(*) AS n, max(i) AS m FROM "{topic}"')
    assert out == "n,m\n30,29\n", out


def test_query_over_s3_matches_the_local_lake_and_skips_uncommitted_files(brokers, ceph, s3_bucket, tmp_path):
    topic, lake = landed_lake(brokers, tmp_path)
    s3 = ceph.s3()
    keys = upload_lake(s3, s3_bucket, "lakes/one", lake)
    assert f"_progress/{topic}/0.next" in keys
    url = f"s3://{s3_bucket}/lakes/one"
    # A batch published but not committed: a copy of a file under a range past the record.
    record = progress(s3, s3_bucket, "lakes/one", topic)[0]
    buy_file = next(k for k in keys if k.startswith(f"{topic}/event_type=buy/") and k.endswith(".parquet"))
    upload_uncommitted(s3, s3_bucket, "lakes/one", lake, buy_file, record, record + 99)

    for sql in [f'SELECT count(*) AS n FROM "{topic}"',
                f'SELECT event_type, dt, hour, count(*) AS n, sum(i) AS s FROM "{topic}" GROUP BY ALL ORDER BY ALL',
                f'SELECT user, count(*) AS n FROM "{topic}_buy" GROUP BY 1 ORDER BY 1',
                f'SELECT max(v.i) AS m FROM "{topic}_view" v JOIN "{topic}_login" l USING (user)']:
        out, err = s3_query(ceph, tmp_path, url, sql, "--fetch-report")
        assert out == local_csv(lake, sql), sql
        assert report(err)["uncommitted"] >= 1 or "_buy" not in sql and '"' + topic + '"' not in sql, err
    out, _ = s3_query(ceph, tmp_path, url, f'SELECT count(*) AS n FROM "{topic}"')
    assert out == "n\n120\n"

    # The event types' tables and every table are listed without fetching any file.
    tables, err = s3_query(ceph, tmp_path, url, "SELECT 42 AS x", "--fetch-report")
    assert tables == "x\n42\n" and report(err)["needed"] == 0


def test_hive_filters_prune_what_is_fetched_and_the_cache_serves_the_second_query(brokers, ceph, s3_bucket, tmp_path):
    topic, lake = landed_lake(brokers, tmp_path)
    upload_lake(ceph.s3(), s3_bucket, "", lake)
    url = f"s3://{s3_bucket}"
    files = [k for k in upload_lake(ceph.s3(), s3_bucket, "", lake) if k.endswith(".parquet")]
    total = len([k for k in files if k.startswith(topic + "/")])

    sql = (f"SELECT count(*) AS n, sum(i) AS s FROM \"{topic}\" WHERE event_type = 'buy' "
           f"AND dt IN ('2026-01-01', '2026-01-02') AND hour = 0")
    out, err = s3_query(ceph, tmp_path, url, sql, "--fetch-report")
    assert out == local_csv(lake, sql)
    pruned = report(err)
    want = [k for k in files if k.startswith(f"{topic}/event_type=buy/dt=2026-01-0") and "/hour=00/" in k]
    assert 1 <= pruned["needed"] == len(want) < total and pruned["fetched"] == len(want), err
    assert pruned["pruned"] == total - len(want)

    # The same query again: every file from the cache, nothing downloaded.
    out2, err2 = s3_query(ceph, tmp_path, url, sql, "--fetch-report")
    assert out2 == out and report(err2)["fetched"] == 0 and report(err2)["hits"] == len(want)

    # A filter no folder matches keeps the table queryable: zero rows, not an error.
    none = f"SELECT count(*) AS n FROM \"{topic}\" WHERE dt = '2031-01-01'"
    assert s3_query(ceph, tmp_path, url, none)[0] == "n\n0\n"

    # A column that only later files have (a second run added `promo`): a pruned view still has it.
    produce(brokers, topic, [json.dumps({"event_type": "buy", "i": 1000 + k, "promo": f"p{k}",
                                         "ts": "2026-05-05T05:00:00Z"}) for k in range(3)])
    land(brokers, lake, topic, "--partition-by", "dt,hour", "--event-time-field", "ts", "--mode", "append")
    upload_lake(ceph.s3(), s3_bucket, "", lake)
    for q in [f"SELECT count(promo) AS n, count(*) AS m FROM \"{topic}_buy\" WHERE dt = '2026-01-01'",
              f"SELECT list(promo ORDER BY promo) AS p FROM \"{topic}\" WHERE dt = '2026-05-05'"]:
        assert s3_query(ceph, tmp_path, url, q)[0] == local_csv(lake, q), q
    total += 1

    # OR is not pruned (every file), and the answer is still the local one.
    either = f"SELECT count(*) AS n FROM \"{topic}\" WHERE event_type = 'buy' OR hour = 1"
    out, err = s3_query(ceph, tmp_path, url, either, "--fetch-report")
    assert out == local_csv(lake, either) and report(err)["needed"] == total


def test_cache_bound_is_kept_and_too_small_a_cache_is_a_clear_error(brokers, ceph, s3_bucket, tmp_path):
    topic, lake = landed_lake(brokers, tmp_path)
    upload_lake(ceph.s3(), s3_bucket, "l", lake)
    url = f"s3://{s3_bucket}/l"
    cache = tmp_path / "cache"
    cp = s3_run(ceph, tmp_path, ["query", "--lake", url, "--cache-dir", str(cache), "--cache-size", "2K",
                                 f'SELECT count(*) FROM "{topic}"'], check=False)
    assert cp.returncode == 1 and "--cache-size" in cp.stderr and "more than the cache" in cp.stderr, cp.stderr
    cp = s3_run(ceph, tmp_path, ["query", "--lake", url, "--cache-dir", str(cache), "--cache-size", "64M",
                                 "--format", "csv", f'SELECT count(*) AS n FROM "{topic}"'])
    assert cp.stdout == "n\n120\n"
    cached = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(cache / "objects") for f in fs)
    assert 0 < cached <= 64 << 20
    assert not os.listdir(cache / "views")  # the mirror goes with the process


def test_schema_and_ddl_over_s3(brokers, ceph, s3_bucket, tmp_path):
    topic, lake = landed_lake(brokers, tmp_path)
    upload_lake(ceph.s3(), s3_bucket, "warehouse/lake", lake)
    url = f"s3://{s3_bucket}/warehouse/lake"
    for table in [topic, f"{topic}_buy"]:
        local = harness.run(["schema", "--lake", str(lake), table]).stdout
        assert s3_run(ceph, tmp_path, ["schema", "--lake", url, table]).stdout == local
    ddl = s3_run(ceph, tmp_path, ["ddl", "--dialect", "trino", "--lake", url, f"{topic}_buy"]).stdout
    local = harness.run(["ddl", "--dialect", "trino", "--lake", str(lake), "--location-prefix", url,
                         f"{topic}_buy"]).stdout
    assert ddl == local
    assert f"external_location = '{url}/{topic}/event_type=buy'" in ddl
    assert "partitioned_by = ARRAY['dt', 'hour']" in ddl
    presto = s3_run(ceph, tmp_path, ["ddl", "--dialect", "presto", "--lake", url, "--location-prefix",
                                     f"s3a://{s3_bucket}/warehouse/lake", topic]).stdout
    assert f"external_location = 's3a://{s3_bucket}/warehouse/lake/{topic}'" in presto
    missing = s3_run(ceph, tmp_path, ["ddl", "--lake", url, "nope"], check=False)
    assert missing.returncode == 1 and "nope" in missing.stderr


def test_s3_lake_errors_are_clear(ceph, s3_bucket, tmp_path):
    url = f"s3://{s3_bucket}/x"
    # Commands that do not read an S3 lake still refuse it by name; cache flags need an S3 lake.
    cp = harness.run(["convert", "--lake", url], check=False)
    assert cp.returncode == 2 and "not supported yet by `eventlake convert`" in cp.stderr, cp.stderr
    cp = harness.run(["query", "--lake", str(tmp_path), "--cache-size", "1G", "SELECT 1"], check=False)
    assert cp.returncode == 2 and "s3:// lake only" in cp.stderr
    cp = harness.run(["query", "--lake", url, "--cache-size", "lots", "SELECT 1"], check=False)
    assert cp.returncode == 2 and "not a size" in cp.stderr
    # An empty lake answers; a missing bucket and bad credentials are one clear line each.
    assert s3_query(ceph, tmp_path, url, "SELECT 1 AS one")[0] == "one\n1\n"
    cp = s3_run(ceph, tmp_path, ["query", "--lake", "s3://no-such-bucket-here/x", "SELECT 1"], check=False)
    assert cp.returncode == 1 and "no-such-bucket-here" in cp.stderr, cp.stderr
    env = s3_env(ceph, tmp_path)
    env["AWS_SECRET_ACCESS_KEY"] = "wrong"
    cp = harness.run(["query", "--lake", url, "SELECT 1"], env=env, check=False)
    assert cp.returncode == 1 and "credentials" in cp.stderr.lower(), cp.stderr


def test_shell_over_s3_fetches_each_statements_tables(brokers, ceph, s3_bucket, tmp_path, monkeypatch):
    from test_shell import Shell

    topic, lake = landed_lake(brokers, tmp_path)
    upload_lake(ceph.s3(), s3_bucket, "lake", lake)
    for k, v in s3_env(ceph, tmp_path).items():
        monkeypatch.setenv(k, v)
    shell = Shell(f"s3://{s3_bucket}/lake", tmp_path / "home", args=["--format", "csv"])
    try:
        shell.prompt()
        assert f"{topic}_login" in shell.run(".tables")  # listed before any file is fetched
        assert shell.run(f"SELECT count(*) AS n FROM \"{topic}_buy\";").split() == ["n", "40"]
        assert shell.run(f"SELECT count(*) AS n FROM \"{topic}\" WHERE event_type = 'view';").split() == ["n", "40"]
        assert shell.run(f"SELECT count(*) AS n FROM \"{topic}\";").split() == ["n", "120"]
        assert shell.quit() == 0
    finally:
        shell.close()
