"""`--lake` names a local directory or s3://BUCKET/PREFIX; anything else is a usage error (exit 2)
with a clear message, and never a local folder named after the scheme. s3:// is read by query,
schema and ddl (test_query_s3.py), landed into by land and up (test_land_s3.py), compacted and
replayed from by compact and replay-dead-letter (test_s3_tools.py), and refused by name by the
commands that do not take it yet."""
import os
import subprocess

import pytest

from harness import BIN

# Each command that takes --lake, with the rest of a command line that would otherwise parse.
COMMANDS = {
    "land": ["land", "--brokers", "127.0.0.1:1", "--topic", "events"],
    "up": ["up", "--data", "{tmp}/data", "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0"],
    "query": ["query", "SELECT 1"],
    "schema": ["schema", "events"],
    "ddl": ["ddl", "events"],
    "compact": ["compact", "events"],
    "convert": ["convert"],
    "replay-dead-letter": ["replay-dead-letter", "--table", "events", "--brokers", "127.0.0.1:1"],
    "status": ["status"],
}


def run(tmp_path, name, lake, extra_env=None):
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[name]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTLAKE_")}
    env.update(extra_env or {})
    if lake is not None:
        args += ["--lake", lake]
    return subprocess.run([BIN, *args], cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=30)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_unsupported_schemes_are_usage_errors(tmp_path, name):
    for lake, says in [("gs://bucket/lake", "not gs://"), ("hdfs://nn:8020/lake", "not hdfs://"),
                       ("s3a://bucket/lake", "use s3://"), ("file:relative", "file:///"),
                       ("s3://Bad_Bucket/lake", "not a bucket name")]:
        p = run(tmp_path, name, lake)
        assert p.returncode == 2, (name, lake, p.stdout, p.stderr)
        assert says in p.stderr, (name, lake, p.stderr)
    assert sorted(os.listdir(tmp_path)) == [], "a refused location left files behind"


# The commands that work on an S3 lake: readers (test_query_s3.py, and test_s3_tools.py's compact
# and replay-dead-letter, which read it first) and landers (test_land_s3.py).
READ_S3 = {"query", "schema", "ddl", "compact", "replay-dead-letter"}
ON_S3 = READ_S3 | {"land", "up"}


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - ON_S3))
def test_s3_is_refused_by_name_until_the_lake_uses_the_store(tmp_path, name):
    p = run(tmp_path, name, "s3://bucket/lake")
    assert p.returncode == 2, (name, p.stdout, p.stderr)
    assert f"not supported yet by `eventlake {name}`" in p.stderr, p.stderr
    assert "s3://bucket/lake" in p.stderr
    assert not (tmp_path / "s3:").exists()
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize("name", sorted(READ_S3))
def test_s3_readers_take_s3_and_say_what_is_missing(tmp_path, name):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                "HOME": str(tmp_path / "home")})
    args = [BIN, *COMMANDS[name], "--lake", "s3://bucket/lake"]
    p = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 1, (name, p.stdout, p.stderr)
    assert "credentials" in p.stderr and "AWS_ACCESS_KEY_ID" in p.stderr, p.stderr
    assert sorted(os.listdir(tmp_path)) == []


def test_lake_from_the_environment_is_checked_too(tmp_path):
    p = run(tmp_path, "land", None, {"EVENTLAKE_LANDER_LAKE": "gs://bucket/lake"})
    assert p.returncode == 2, p.stderr
    assert "not gs://" in p.stderr
    assert not (tmp_path / "gs:").exists()


def test_file_urls_name_local_directories(tmp_path):
    lake = tmp_path / "lake"
    lake.mkdir()
    p = run(tmp_path, "query", f"file://{lake}")
    assert p.returncode == 0, p.stderr
