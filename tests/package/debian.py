"""Helpers for the package tests: the .deb built by the package.build test (EVENTLAKE_DEB_DIR), its
unpacked tree, and commands run inside a Debian root (chroot)."""
import glob
import os
import pathlib
import shlex
import subprocess

SOURCE = pathlib.Path(__file__).resolve().parents[2]
UNITS = ["eventlake.service", "eventlake-broker@.service", "eventlake-collector@.service",
         "eventlake-lander@.service"]


def deb_file():
    """The one eventlake_*.deb that package.build wrote."""
    debs = glob.glob(os.path.join(os.environ["EVENTLAKE_DEB_DIR"], "eventlake_*.deb"))
    assert len(debs) == 1, f"expected one eventlake_*.deb in {os.environ['EVENTLAKE_DEB_DIR']}: {debs}"
    return pathlib.Path(debs[0])


def run(args, check=True, timeout=600, **kwargs):
    """Runs a command; returns CompletedProcess (text). A failure shows its output."""
    cp = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and cp.returncode != 0:
        raise AssertionError(f"{args} exited {cp.returncode}\nstdout:{cp.stdout}\nstderr:{cp.stderr}")
    return cp


def unit_instances(directory):
    """Paths of the package's units under `directory`, templates copied to an instance name
    (systemd-analyze verifies instances, not templates)."""
    directory = pathlib.Path(directory)
    paths = []
    for unit in UNITS:
        path = directory / unit
        if unit.endswith("@.service"):
            instance = directory / unit.replace("@.service", "@test.service")
            instance.write_bytes(path.read_bytes())
            path = instance
        paths.append(path)
    return paths


def service_section(unit_path):
    """The [Service] section of a unit file as {key: [values]} (keys may repeat)."""
    values = {}
    section = None
    for raw in pathlib.Path(unit_path).read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service":
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def exec_start(unit_path):
    """The argv of a unit's ExecStart."""
    (line,) = service_section(unit_path)["ExecStart"]
    return shlex.split(line)


def depends(deb):
    """Package names in the Depends field of `deb` (version constraints and alternatives dropped)."""
    field = run(["dpkg-deb", "-f", deb, "Depends"]).stdout
    names = set()
    for clause in field.split(","):
        for alt in clause.split("|"):
            if alt.strip():
                names.add(alt.split("(")[0].strip())
    return names

