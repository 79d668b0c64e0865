import os

import pytest

from harness import Procs


@pytest.fixture
def procs(tmp_path):
    """Starts eventlake processes for one test and kills every one of them afterwards."""
    p = Procs(tmp_path)
    yield p
    p.kill_all()


@pytest.fixture
def brokers(procs, tmp_path):
    """A broker for one test: `eventlake broker` on port 0, or the Kafka-compatible cluster named
    by EVENTLAKE_TEST_BROKERS=host:port (topic names are unique per test, so a shared one is fine)."""
    external = os.environ.get("EVENTLAKE_TEST_BROKERS")
    if external:
        return external
    _, addr = procs.broker(tmp_path / "data")
    return addr
