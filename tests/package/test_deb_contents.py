"""The Debian package as built: its files, control data, Depends, RUNPATH and systemd units, read
from the .deb with dpkg-deb (nothing is installed)."""
import os
import re
import shutil
import stat

import pytest

from debian import SOURCE, UNITS, deb_file, depends, exec_start, run, service_section, unit_instances


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The package's files (dpkg-deb -x) and control files (dpkg-deb -e)."""
    root = tmp_path_factory.mktemp("deb")
    run(["dpkg-deb", "-x", deb_file(), root / "files"])
    run(["dpkg-deb", "-e", deb_file(), root / "control"])
    return root


def package_paths():
    listing = run(["dpkg-deb", "-c", deb_file()]).stdout
    return {line.split()[-1].removeprefix(".") for line in listing.splitlines() if not line.startswith("d")}


def test_files_binary_private_duckdb_units_docs():
    paths = package_paths()
    expected = {"/usr/bin/eventlake", "/usr/lib/eventlake/libduckdb.so",
                "/usr/share/doc/eventlake/README.md", "/usr/share/doc/eventlake/deploy/README.md",
                "/usr/share/doc/eventlake/deploy/prometheus-alerts.yml"}
    expected |= {f"/lib/systemd/system/{unit}" for unit in UNITS}
    assert expected <= paths, sorted(expected - paths)
    # The default configuration ships once deploy/eventlake.toml exists, and nothing else under /etc.
    config = {"/etc/eventlake/eventlake.toml"} if (SOURCE / "deploy/eventlake.toml").exists() else set()
    assert {p for p in paths if p.startswith("/etc/")} == config


def test_units_are_the_ones_in_deploy(unpacked):
    for unit in UNITS:
        packaged = (unpacked / "files/lib/systemd/system" / unit).read_bytes()
        assert packaged == (SOURCE / "deploy/systemd" / unit).read_bytes(), unit


def test_conffiles_list_every_file_under_etc(unpacked):
    etc = {p for p in package_paths() if p.startswith("/etc/")}
    conffiles = unpacked / "control/conffiles"
    listed = set(conffiles.read_text().split()) if conffiles.exists() else set()
    assert listed == etc


def test_maintainer_scripts_are_executable_shell(unpacked):
    for script in ["postinst", "prerm", "postrm"]:
        path = unpacked / "control" / script
        assert os.stat(path).st_mode & stat.S_IXUSR, script
        run(["sh", "-n", path])
        assert (unpacked / "control" / script).read_bytes() == (SOURCE / "deploy/debian" / script).read_bytes()


def needed(elf):
    dynamic = run(["readelf", "-d", elf]).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)


def owning_packages(library):
    """The Debian package that holds `library` on this machine (the one the build linked) and the
    names it provides (libspdlog1.10 provides libspdlog1.10-fmt9, the name its shlibs file gives)."""
    path = run(["/sbin/ldconfig", "-p"]).stdout
    match = re.search(rf"^\s*{re.escape(library)} \(libc6,x86-64\) => (\S+)$", path, re.M)
    assert match, f"{library} not in the linker cache"
    real = os.path.realpath(match.group(1))
    for candidate in [match.group(1), real, real.replace("/usr/lib/", "/lib/", 1)]:
        cp = run(["dpkg-query", "-S", candidate], check=False)
        if cp.returncode == 0:
            package = cp.stdout.split(":")[0]
            provides = run(["dpkg-query", "-W", "-f=${Provides}", package]).stdout
            return {package} | {p.split("(")[0].strip() for p in provides.split(",") if p.strip()}
    raise AssertionError(f"no package owns {library} ({real})")


def test_depends_names_the_package_of_every_shared_library(unpacked):
    names = depends(deb_file())
    files = unpacked / "files"
    libraries = set(needed(files / "usr/bin/eventlake")) | set(needed(files / "usr/lib/eventlake/libduckdb.so"))
    assert "libduckdb.so" in libraries
    for library in sorted(libraries - {"libduckdb.so"}):
        assert owning_packages(library) & names, (library, sorted(names))
    assert {"librdkafka1", "libsimdjson14", "passwd"} <= names
    assert not any("duckdb" in n for n in names)  # DuckDB ships inside the package


def test_runpath_names_the_private_duckdb(unpacked):
    binary = unpacked / "files/usr/bin/eventlake"
    assert "Library runpath: [/usr/lib/eventlake]" in run(["readelf", "-d", binary]).stdout
    # The packaged library is the one the binary runs with (it prints DuckDB's version from it).
    env = dict(os.environ, LD_LIBRARY_PATH=str(unpacked / "files/usr/lib/eventlake"))
    resolved = run(["ldd", binary], env=env).stdout
    assert re.search(r"libduckdb\.so => \S*/files/usr/lib/eventlake/libduckdb\.so", resolved), resolved
    version = run([binary, "--version"], env=env).stdout.strip()
    assert re.fullmatch(r"eventlake \d+\.\d+\.\d+ \(DuckDB v1\.4\.4, librdkafka \d+\.\d+\.\d+\)", version), version


def test_systemd_analyze_verify(unpacked, tmp_path):
    # A root holding this machine's units (the targets the package's units refer to) and the
    # package's files, so that ExecStart's /usr/bin/eventlake is found there.
    root = tmp_path / "root"
    shutil.copytree("/lib/systemd/system", root / "lib/systemd/system", symlinks=True)
    shutil.copytree(unpacked / "files", root, symlinks=True, dirs_exist_ok=True)
    units = unit_instances(root / "lib/systemd/system")
    cp = run(["systemd-analyze", "verify", f"--root={root}", *units], check=False)
    assert cp.returncode == 0 and not cp.stderr.strip(), cp.stderr


def test_units_run_hardened_as_eventlake_and_stop_on_sigterm(unpacked):
    for unit in UNITS:
        service = service_section(unpacked / "files/lib/systemd/system" / unit)
        assert service["User"] == ["eventlake"] and service["KillSignal"] == ["SIGTERM"], unit
        for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                           ("ProtectHome", "yes"), ("LimitNOFILE", "65536")]:
            assert service[key] == [value], (unit, key)
        argv = exec_start(unpacked / "files/lib/systemd/system" / unit)
        # Every unit reads the packaged configuration; flags on its line override it.
        assert argv[:3] == ["/usr/bin/eventlake", "--config", "/etc/eventlake/eventlake.toml"], unit
    argv = exec_start(unpacked / "files/lib/systemd/system/eventlake.service")
    assert argv[3:] == ["up"]
    config = (unpacked / "files/etc/eventlake/eventlake.toml").read_text()
    assert 'data = "/var/lib/eventlake"' in config


def test_binary_is_stripped(unpacked):
    sections = run(["readelf", "-S", unpacked / "files/usr/bin/eventlake"]).stdout
    assert ".debug_info" not in sections


