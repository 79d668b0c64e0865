import os
import uuid

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


@pytest.fixture(scope="session")
def ceph(tmp_path_factory):
    """A Ceph cluster with an S3 gateway (tests/integration/ceph_cluster.py) for the whole pytest run: one
    monitor, one memstore OSD and a RADOS gateway on 127.0.0.1, cephx on, about 4 s to start."""
    from ceph_cluster import CephCluster, CephError

    # The ports are the kernel's free ones of a moment before the daemons bind them: another
    # process may take one in between, so a failed start is tried once more on new ports.
    for attempt in range(2):
        cluster = CephCluster(tmp_path_factory.mktemp("ceph"))
        try:
            cluster.start()
            break
        except CephError:
            if attempt == 1:
                raise
    print(f"ceph: gateway {cluster.endpoint} ready in {cluster.startup_seconds:.1f} s")
    yield cluster
    cluster.stop()


@pytest.fixture
def s3_bucket(ceph):
    """A new, empty bucket on the session's gateway; returns its name."""
    name = f"t-{uuid.uuid4().hex[:20]}"
    ceph.s3().create_bucket(Bucket=name)
    return name
