"""eventlake.toml: `up` started from a config file, flags over the file, EVENTLAKE_<SECTION>_<KEY>
variables over both; `config check` errors with their lines; `config print` sources; the packaged
deploy/eventlake.toml; bad values refused (exit 2, naming them) before anything is ready."""
import base64
import pathlib
import re

import pytest

import harness
from harness import end_offsets, http_request, wait_until

DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "eventlake.toml"


def count(lake, table):
    """Rows of a lake table as `eventlake query` reads it, or None while it is not there."""
    cp = harness.run(["query", "--lake", str(lake), "--format", "csv", f"SELECT count(*) AS n FROM {table}"],
                     check=False)
    return int(cp.stdout.splitlines()[1]) if cp.returncode == 0 else None


def basic(key):
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def start_up(procs, tmp_path, config, args=(), env=None, name="up"):
    """Starts `eventlake --config CONFIG up ARGS` whose [up] port_file is tmp_path/NAME.port;
    returns (proc, kafka 'host:port', 'http://host:port')."""
    pf = tmp_path / f"{name}.port"
    p = procs.start(["--config", str(config), "up", *args], name, env={"EVENTLAKE_UP_PORT_FILE": str(pf), **(env or {})})
    ports = p.wait_port_file(pf, 30)
    return p, f"127.0.0.1:{ports['kafka']}", f"http://127.0.0.1:{ports['http']}"


def test_up_takes_file_then_flags_then_environment(procs, tmp_path):
    config = tmp_path / "eventlake.toml"
    config.write_text(f"""
[up]
data = "{tmp_path / 'data'}"

[broker]
listen = "127.0.0.1:0"
partitions = 3

[collector]
listen = "127.0.0.1:0"
write_key = ["from-file"]
max_body_bytes = 1000

[lander]
flush_ms = 50
group = "cfg-lake"

[kafka_client]
"client.id" = "lake-from-config"
""")
    env = {"EVENTLAKE_BROKER_PARTITIONS": "4", "EVENTLAKE_COLLECTOR_MAX_BODY_BYTES": "3000"}
    _, kafka, url = start_up(procs, tmp_path, config, ["--write-key", "from-flag", "--partitions", "2"], env)
    # partitions: file 3 < flag 2 < env 4, as a Kafka client sees the topic up created.
    assert len(end_offsets(kafka, "events")) == 4
    # write_key: the flag replaced the file's key.
    assert http_request(url, "GET", "/purchase_a_sword", headers=basic("from-file"))[0] == 401
    assert http_request(url, "GET", "/purchase_a_sword", headers=basic("from-flag"))[0] == 200
    # max_body_bytes: the variable replaced the file's 1000.
    body = {"event_type": "big", "pad": "x" * 2000}
    assert http_request(url, "POST", "/events", body=body, headers=basic("from-flag"))[0] == 200
    body["pad"] = "x" * 4000
    assert http_request(url, "POST", "/events", body=body, headers=basic("from-flag"))[0] == 413
    lake = tmp_path / "data" / "lake"
    wait_until(lambda: count(lake, "events") == 2, 30, "both accepted events to land")

    # [kafka_client] reaches the lander's consumer: the group it joined names it by that client.id.
    wait_until(lambda: "client lake-from-config" in harness.run(
        ["groups", "describe", "--brokers", kafka, "--group", "cfg-lake"], check=False).stdout, 30,
        "the lander to join its group as lake-from-config")
    printed = harness.run(["--config", str(config), "config", "print"], env=env).stdout
    assert re.search(r"^partitions += 4 +# env EVENTLAKE_BROKER_PARTITIONS$", printed, re.M), printed
    assert re.search(rf'^write_key += \["from-file"\] +# file:{re.escape(str(config))}:11$', printed, re.M), printed
    assert re.search(r"^flush_ms += 50 +# file:.*:15$", printed, re.M), printed
    assert re.search(r"^max_body_bytes += 3000 +# env EVENTLAKE_COLLECTOR_MAX_BODY_BYTES$", printed, re.M)
    assert re.search(r'^compression += "lz4" +# default$', printed, re.M), printed
    assert re.search(r'^"client.id" = "lake-from-config" +# file:.*:19$', printed, re.M), printed
    # EVENTLAKE_CONFIG names the file too.
    assert harness.run(["config", "print"], env={"EVENTLAKE_CONFIG": str(config)}).stdout.count("# file:") == 9


def test_config_check_reports_every_error_with_its_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("""[colector]
listen = "x"
[collector]
max_body_byte = 10
max_body_bytes = "big"
linger_ms = 5000
compression = "brotli"
[broker]
listen = "127.0.0.1:notaport"
[kafka_client]
socket.timeout.mss = 100
group.id = "mine"
""")
    cp = harness.run(["config", "check", str(bad)], check=False)
    assert cp.returncode == 2, cp
    lines = cp.stderr.splitlines()
    expected = [f"{bad}:1: unknown section [colector] (did you mean [collector]?)",
                f"{bad}:4: [collector] max_body_byte: unknown key (did you mean max_body_bytes?)",
                f"{bad}:5: [collector] max_body_bytes: wants an integer, got a string",
                f"{bad}:6: [collector] linger_ms: 5000 is out of range: it must be from 0 to 1000",
                f"{bad}:7: [collector] compression: 'brotli' is not one of none, gzip, snappy, lz4, zstd",
                f"{bad}:9: [broker] listen: "]
    for want, got in zip(expected, lines):
        assert got.startswith(want), (want, cp.stderr)
    assert re.match(rf"{re.escape(str(bad))}:11: \[kafka_client\] socket.timeout.mss: .*No such configuration property",
                    lines[6]), cp.stderr
    assert lines[7] == f"{bad}:12: [kafka_client] group.id: set by eventlake from [lander] group", cp.stderr
    assert lines[8] == f"{bad}: 8 problem(s)"
    # The same file stops `up` before anything is announced ready.
    cp = harness.run(["--config", str(bad), "up", "--data", str(tmp_path / "d")], check=False, timeout=30)
    assert cp.returncode == 2 and "ready" not in cp.stdout and "max_body_byte" in cp.stderr, cp
    syntax = tmp_path / "syntax.toml"
    syntax.write_text('[up]\ndata = "/x"\nport_file = \n')
    cp = harness.run(["config", "check", str(syntax)], check=False)
    assert cp.returncode == 2 and cp.stderr.startswith(f"{syntax}:3: "), cp
    assert harness.run(["config", "check", str(tmp_path / "missing.toml")], check=False).returncode == 2


def test_packaged_config_is_complete_and_starts_up(procs, tmp_path):
    assert harness.run(["config", "check", str(DEPLOY)]).stdout == f"{DEPLOY}: ok\n"
    text = DEPLOY.read_text()
    assert re.search(r'^data = "/var/lib/eventlake" +#', text, re.M)
    # Every key eventlake knows is in the packaged file (set, or commented out at its default).
    printed = harness.run(["config", "print"], env={"EVENTLAKE_CONFIG": ""}).stdout

    def keys_by_section(toml, pattern):
        sections = re.split(r"^\[([a-z_]+)\]$", toml, flags=re.M)
        return {name: set(re.findall(pattern, body, re.M)) for name, body in zip(sections[1::2], sections[2::2])}

    known = keys_by_section(printed, r"^([a-z_]+) += ")
    shipped = keys_by_section(text, r"^#? ?([a-z_]+) = ")
    assert sum(len(k) for k in known.values()) > 50
    assert known.keys() == shipped.keys()
    assert {s: known[s] - shipped[s] for s in known if known[s] - shipped[s]} == {}
    # The packaged command, with the data folder and listeners moved for the test.
    env = {"EVENTLAKE_UP_DATA": str(tmp_path / "var"), "EVENTLAKE_BROKER_LISTEN": "127.0.0.1:0",
           "EVENTLAKE_COLLECTOR_LISTEN": "127.0.0.1:0"}
    up, _, url = start_up(procs, tmp_path, DEPLOY, env=env)
    status, _, body = http_request(url, "GET", "/purchase_a_sword")
    assert (status, body) == (200, b"Sword Purchased!\n")
    lake = tmp_path / "var" / "lake"
    wait_until(lambda: count(lake, "events_purchase_sword") == 1, 30, "the event to land")
    assert up.stop() == 0


@pytest.mark.parametrize("args,env,needle", [
    (["up", "--flush-ms", "-5"], {}, "--flush-ms: -5 is out of range"),
    (["up", "--kafka", "127.0.0.1:notaport"], {}, "--kafka"),
    (["up", "--port-file", "/nonexistent-dir/up.port"], {}, "--port-file"),
    (["up"], {"EVENTLAKE_LANDER_TIME_ZONE": "Mars/Olympus"}, "[lander] time_zone"),
    (["up"], {"EVENTLAKE_LANDER_MEMORY_LIMIT": "lots"}, "EVENTLAKE_LANDER_MEMORY_LIMIT"),
    (["up"], {"EVENTLAKE_COLLECTOR_MAX_BODY": "5"}, "did you mean max_body_bytes?"),
    (["up", "--broker-io-threads", "0"], {}, "--broker-io-threads"),
    (["up", "--trusted-proxy", "10.0.0.0/99"], {}, "--trusted-proxy"),
    (["broker", "--partitions", "0"], {}, "--partitions"),
    (["broker", "--group-min-session-ms", "9000", "--group-max-session-ms", "8000"], {}, "group_min_session_ms"),
    (["collect", "--topic", "bad topic"], {}, "--topic"),
    (["collect", "--brokers", "127.0.0.1:1", "--compression", "brotli"], {}, "--compression"),
    (["collect"], {}, "--brokers is required"),
    (["land", "--topic", "t", "--memory-limit", "lots"], {}, "--memory-limit"),
    (["land", "--topic", "t", "--brokers", "a:1,,b:2"], {}, "--brokers"),
])
def test_bad_values_exit_2_naming_them_before_ready(tmp_path, args, env, needle):
    base = {"up": ["--data", str(tmp_path / "d"), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0"],
            "broker": ["--data", str(tmp_path / "d"), "--listen", "127.0.0.1:0"],
            "collect": ["--listen", "127.0.0.1:0"], "land": ["--lake", str(tmp_path / "lake")]}[args[0]]
    given = set(args[1:])
    base = [a for i, a in enumerate(base) if a not in given and (i == 0 or base[i - 1] not in given)]
    cp = harness.run([args[0], *base, *args[1:]], check=False, timeout=30, env=env)
    assert cp.returncode == 2 and "ready" not in cp.stdout and needle in cp.stderr, cp
