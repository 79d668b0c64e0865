"""`apt install ./eventlake_*.deb` on a fresh Debian 12 root (debootstrap), then the packaged
`eventlake up`, started as the unit's user with the unit's ExecStart, answers the collector, lands
and queries, and stops cleanly on SIGTERM. No systemd runs here, so the process runs under chroot.

Needs root, debootstrap and a Debian mirror (EL_DEBIAN_MIRROR, default http://deb.debian.org/debian);
takes minutes, hence the ctest label `package` (scripts/test.sh runs it with EL_PACKAGE_TEST=1)."""
import os
import pathlib
import shutil
import signal
import sys
import time

import pytest

from debian import deb_file, depends, exec_start, run, service_section

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "integration"))
import harness  # noqa: E402

MIRROR = os.environ.get("EL_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def in_root(root, args, **kwargs):
    """Runs `args` in `root` as root, with /proc mounted in a private mount namespace (gone when the
    command ends, so nothing stays mounted under the test's directory)."""
    script = 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"'
    return run(["unshare", "--mount", "--fork", "sh", "-c", script, root, *args], **kwargs)


def as_unit_user(root, user, workdir, argv):
    """argv for running `argv` in `root` as `user` in `workdir`, with an empty environment."""
    return ["chroot", f"--userspec={user}:{user}", root, "/usr/bin/env", "-i", "-C", workdir,
            f"HOME={workdir}", "PATH=/usr/bin:/bin", *argv]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A fresh Debian 12 root with the package installed by apt, which fetches its Depends."""
    root = tmp_path_factory.mktemp("debian12") / "root"
    run(["debootstrap", "--variant=minbase", "bookworm", root, MIRROR], timeout=900)
    shutil.copy(deb_file(), root / "tmp")
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    in_root(root, ["apt-get", "update", "-qq"], env=env, timeout=600)
    in_root(root, ["apt-get", "install", "-y", "-qq", "--no-install-recommends", f"/tmp/{deb_file().name}"],
            env=env, timeout=900)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_apt_installed_the_dependencies(root):
    listing = in_root(root, ["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package} ${Provides}\n"]).stdout
    installed = set()
    for line in listing.splitlines():
        status, _, rest = line.partition(" ")
        if status.strip() == "ii":
            names = rest.replace(",", " ").split()
            installed |= {n for n in names if not n.startswith("(") and not n.endswith(")")}
    assert "eventlake" in installed
    assert depends(deb_file()) <= installed, sorted(depends(deb_file()) - installed)


def test_system_user_data_directory_and_enabled_service(root):
    entry = in_root(root, ["getent", "passwd", "eventlake"]).stdout.strip().split(":")
    assert entry[5] == "/var/lib/eventlake" and entry[6] == "/usr/sbin/nologin", entry
    data = os.stat(root / "var/lib/eventlake")
    assert (data.st_uid, oct(data.st_mode & 0o777)) == (int(entry[2]), "0o750")
    wants = root / "etc/systemd/system/multi-user.target.wants/eventlake.service"
    assert os.readlink(wants) == "/lib/systemd/system/eventlake.service"


def test_packaged_up_answers_lands_and_queries(root, tmp_path):
    unit = root / "lib/systemd/system/eventlake.service"
    service = service_section(unit)
    (user,), (workdir,) = service["User"], service["WorkingDirectory"]
    argv = exec_start(unit)
    # The unit's own command, on ports the test owns instead of its listeners.
    for flag in ["--kafka", "--http"]:
        if flag in argv:
            argv[argv.index(flag) + 1] = "127.0.0.1:0"
        else:
            argv += [flag, "127.0.0.1:0"]
    argv += ["--port-file", f"{workdir}/test.ports"]
    proc = harness.Proc(argv[1:], tmp_path, "up", command=as_unit_user(root, user, workdir, argv[:1]))
    try:
        ports = proc.wait_port_file(root / workdir.lstrip("/") / "test.ports", timeout=30)
        status, _, body = harness.http_request(f"http://127.0.0.1:{ports['http']}", "GET", "/purchase_a_sword")
        assert (status, body.strip()) == (200, b"Sword Purchased!")
        sql = "SELECT count(*) AS n FROM events_purchase_sword"
        query = as_unit_user(root, user, workdir, ["/usr/bin/eventlake", "query", "--lake", f"{workdir}/lake",
                                                   "--format", "csv", sql])
        deadline = time.monotonic() + 30
        while (cp := run(query, check=False)).stdout.split() != ["n", "1"]:
            assert time.monotonic() < deadline, f"not landed: {cp.stdout}{cp.stderr}\n{proc.output()}"
            time.sleep(0.3)
        uid = int(in_root(root, ["id", "-u", user]).stdout)
        assert os.stat(root / workdir.lstrip("/") / "lake").st_uid == uid
        assert proc.stop(signal.SIGTERM, timeout=30) == 0, proc.output()
    finally:
        proc.stop(signal.SIGKILL)
