"""Short crash matrix: bench/soak.py's code with 10 SIGKILLs in all (broker, collector and lander of a
three-process pipeline twice each, then `eventlake up` four times) under steady tracking-API load with
client retries; every event answered 2xx must be in the lake's `events` table exactly once (the topic
may hold one twice when a client resent a request the killed collector had produced; the lander's
dedup window lands it once).

The seed is printed; SOAK_SEED=N replays a kill schedule (bench/soak.sh runs the long version)."""
import os
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))
import soak  # noqa: E402

CFG = dict(gap_s=(0.5, 2.0), down_s=(0.0, 0.3), tail_s=2.0, catchup_s=45.0, budget_s=40.0,
           max_request_s=20.0, http_timeout_s=12.0)


def check(result):
    print(soak.report(result))
    assert sum(result["kills"].values()) == sum(result["kills_asked"].values()), result["notes"]
    assert result["acked"] > 1000, soak.report(result)
    numbers = (f"acknowledged {result['acked']}, lost {result['lost']}, doubled in lake {result['doubled']}, "
               f"doubled in log {result['log_doubled']}\n{soak.report(result)}")
    assert result["lost"] == 0, numbers
    assert result["doubled"] == 0, numbers
    assert result["lander_doubled"] == 0, numbers


def seed():
    s = int(os.environ.get("SOAK_SEED", random.randrange(1 << 30)))
    print(f"soak seed: {s} (replay with SOAK_SEED={s})")
    return s


def test_three_processes_killed_and_restarted_lose_and_double_nothing(procs, tmp_path):
    cfg = soak.Config(**CFG)
    result = soak.run_mode("separate", {"broker": 2, "collector": 2, "lander": 2}, procs, tmp_path / "soak",
                           cfg, seed())
    check(result)


def test_up_killed_and_restarted_loses_and_doubles_nothing(procs, tmp_path):
    cfg = soak.Config(**CFG)
    result = soak.run_mode("up", {"up": 4}, procs, tmp_path / "soak", cfg, seed())
    check(result)
