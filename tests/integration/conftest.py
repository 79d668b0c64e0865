import pytest

from harness import Procs


@pytest.fixture
def procs(tmp_path):
    """Starts eventlake processes for one test and kills every one of them afterwards."""
    p = Procs(tmp_path)
    yield p
    p.kill_all()
