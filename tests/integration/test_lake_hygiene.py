"""What a failed or stopped landing leaves in the lake: nothing but the lake's lock files. No
staging copies, no empty table folders, no schema files of tables that were never published."""
import json
import os
import signal

import harness
from harness import produce


def lake_entries(lake):
    """Every path under the lake but the lock files and the (empty) staging folders that hold them."""
    out = []
    for root, dirs, files in os.walk(lake):
        for f in files:
            if not f.endswith((".lock", ".owner")):
                out.append(os.path.relpath(os.path.join(root, f), lake))
        for d in dirs:
            path = os.path.join(root, d)
            if os.path.relpath(path, lake).split(os.sep)[0] != "_staging" and not os.listdir(path):
                out.append(os.path.relpath(path, lake) + "/")
    return sorted(out)


def test_failed_job_leaves_no_debris(brokers, tmp_path):
    lake = tmp_path / "lake"
    produce(brokers, "ev", [{"event_type": "a", "n": i} for i in range(50)] + [{"event_type": "b"}])
    job = tmp_path / "broken.toml"
    job.write_text('[source]\ntopic = "ev"\n[[output]]\ntable = "fine"\n'
                   '[[output]]\ntable = "broken"\nsql = "SELECT no_such_column FROM source"\n')
    cp = harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--job", str(job)], check=False)
    assert cp.returncode == 2 and "output broken" in cp.stderr, cp.stderr
    assert lake_entries(lake) == [], lake_entries(lake)
    assert not (lake / "fine").exists() and not (lake / "broken").exists()


def test_stopped_follow_lander_leaves_only_published_tables(brokers, procs, tmp_path):
    lake = tmp_path / "lake"
    produce(brokers, "ev", [{"event_type": "a", "n": i} for i in range(20)])
    lander = procs.start(["land", "--brokers", brokers, "--lake", str(lake), "--topic", "ev", "--follow",
                          "--flush-ms", "100"], "lander")
    harness.wait_until(lambda: (lake / "ev" / "_SUCCESS").exists(), 30, "the first publish")
    assert lander.stop(signal.SIGTERM) == 0, lander.output()
    entries = lake_entries(lake)
    assert all(e.split("/")[0] in ("ev", "_progress", "_format") for e in entries), entries
    assert not any("ndjson" in e or "spill" in e for e in entries), entries
    rows = json.loads(harness.run(["query", "--lake", str(lake), "--format", "json",
                                   "SELECT count(*) AS n FROM ev"]).stdout)
    assert rows == [{"n": 20}]


def test_foreign_and_broken_files_are_named_and_left_alone(brokers, tmp_path):
    lake = tmp_path / "lake"
    produce(brokers, "ev", [{"event_type": "a", "n": i} for i in range(5)])
    harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--topic", "ev"])
    table = lake / "ev"
    # Another tool's file, a truncated file named as eventlake names them (a part of the landed
    # range 0..4), and a stray folder in the topic's table.
    harness.run(["query", "--lake", str(lake), f"COPY (SELECT 1 AS x) TO '{table}/part-00000.snappy.parquet'"])
    (table / "ev+0+0-4_7.parquet").write_bytes(b"PAR1" + b"\0" * 20)
    (table / "stray").mkdir()
    produce(brokers, "ev", [{"event_type": "a", "n": i} for i in range(5, 8)])
    out = harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--topic", "ev", "--mode", "append"]).stdout
    assert "landed 3 events" in out, out
    for name in ("part-00000.snappy.parquet", "ev+0+0-4_7.parquet", "stray"):
        assert (table / name).exists(), f"recovery removed {name}, which eventlake did not write"
    cp = harness.run(["query", "--lake", str(lake), "SELECT count(*) FROM ev"], check=False)
    assert cp.returncode != 0 and "ev+0+0-4_7.parquet" in cp.stderr, cp.stderr
    rows = json.loads(harness.run(["query", "--lake", str(lake), "--format", "json",
                                   "SELECT count(*) AS n FROM ev_a"]).stdout)
    assert rows == [{"n": 8}]  # the other tables stay queryable
    cp = harness.run(["compact", "ev", "--lake", str(lake)], check=False)
    assert cp.returncode == 1 and "ev+0+0-4_7.parquet cannot be read" in cp.stderr, cp.stderr
    (table / "ev+0+0-4_7.parquet").unlink()
    cp = harness.run(["compact", "ev", "--lake", str(lake)], check=False)
    assert cp.returncode == 1 and "part-00000.snappy.parquet was not written by eventlake" in cp.stderr, cp.stderr
    (table / "part-00000.snappy.parquet").unlink()
    cp = harness.run(["compact", "ev", "--lake", str(lake)], check=False)
    assert cp.returncode == 1 and "stray is a folder that is not a partition" in cp.stderr, cp.stderr
    (table / "stray").rmdir()
    assert "compacted ev" in harness.run(["compact", "ev", "--lake", str(lake)]).stdout
