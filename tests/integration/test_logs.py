"""Logs fit for a server: --log-format json, librdkafka's lines through the same logger, a line per
landed follow batch."""
import json
import signal

import harness
from harness import produce, topic_name, wait_until


def json_lines(text):
    """Every line of `text` that is not the command's summary on stdout, parsed as JSON."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("landed ")]
    return [json.loads(line) for line in lines]


def test_follow_lander_logs_json_lines_with_a_line_per_landed_batch(brokers, procs, tmp_path):
    topic = topic_name()
    produce(brokers, topic, [json.dumps({"event_type": "e", "n": i}) for i in range(50)])
    lander = procs.start(["--log-format", "json", "land", "--brokers", brokers, "--lake", str(tmp_path / "lake"),
                          "--topic", topic, "--follow", "--flush-ms", "100"], "lander")
    wait_until(lambda: '"message":"landed 50 events' in lander.output() or lander.popen.poll() is not None, 30,
               "a landed-batch line")
    produce(brokers, topic, [json.dumps({"event_type": "e", "n": i}) for i in range(7)])
    wait_until(lambda: '"message":"landed 7 events' in lander.output() or lander.popen.poll() is not None, 30,
               "a second landed-batch line")
    assert lander.stop(signal.SIGTERM) == 0, lander.output()
    lines = json_lines(lander.output())
    for line in lines:
        assert set(line) == {"time", "level", "component", "message", "fields"}, line
        assert line["time"].endswith("Z") and line["level"] in {"info", "warning", "error"}, line
    landed = [line for line in lines if "events" in line["fields"]]
    assert [line["fields"]["events"] for line in landed] == [50, 7], landed
    first = landed[0]
    assert first["component"] == "lander"
    assert first["fields"]["topic"] == topic and first["fields"]["files"] >= 1
    assert first["fields"]["lag_records"] == 0 and 0 <= first["fields"]["event_age_seconds"] < 30
    assert first["fields"]["dead_letters"] == 0 and first["fields"]["batch_seconds"] > 0


def test_kafka_client_lines_go_through_the_logger_with_their_level(tmp_path):
    cp = harness.run(["--log-format", "json", "land", "--brokers", "127.0.0.1:1", "--lake", str(tmp_path / "lake"),
                      "--topic", "t"], check=False, timeout=60)
    assert cp.returncode != 0
    assert "%3|" not in cp.stderr, cp.stderr
    lines = [json.loads(line) for line in cp.stderr.splitlines() if line.startswith("{")]
    client = [line for line in lines if line["component"] == "kafka-client"]
    assert client, cp.stderr
    assert any(line["level"] == "error" and "Connection refused" in line["message"] for line in client), client
    assert all(line["fields"]["client"].startswith("rdkafka#") for line in client), client


def test_unknown_log_format_is_refused():
    cp = harness.run(["--log-format", "xml", "topics", "list", "--brokers", "127.0.0.1:1"], check=False)
    assert cp.returncode == 2 and "--log-format" in cp.stderr, cp.stderr


def test_log_settings_come_from_the_file_flags_and_environment(brokers, tmp_path):
    config = tmp_path / "eventlake.toml"
    config.write_text('[log]\nformat = "json"\nlevel = "info"\n')
    topic = topic_name()
    produce(brokers, topic, [json.dumps({"event_type": "e"})])
    land = ["land", "--brokers", brokers, "--lake", str(tmp_path / "lake"), "--topic", topic]

    def stderr_lines(args, env=None):
        cp = harness.run(["--config", str(config), *args], check=False, timeout=60, env=env)
        # Log lines only: the command's own last word ("eventlake land: ...") is not a log line.
        return [line for line in cp.stderr.splitlines()
                if line.strip() and not line.startswith("eventlake land:")], cp.returncode

    # [log] format from the file: every line is a JSON object.
    lines, _ = stderr_lines(land)
    assert lines and all(json.loads(line)["level"] for line in lines), lines
    # The flag overrides the file ...
    lines, _ = stderr_lines(["--log-format", "text", *land])
    assert lines and not any(line.startswith("{") for line in lines), lines
    # ... and EVENTLAKE_LOG_FORMAT overrides the flag.
    lines, _ = stderr_lines(["--log-format", "text", *land], env={"EVENTLAKE_LOG_FORMAT": "json"})
    assert lines and all(line.startswith("{") for line in lines), lines
    # A level of "off" from the environment silences the lander.
    lines, code = stderr_lines(land, env={"EVENTLAKE_LOG_LEVEL": "off"})
    assert code == 0 and lines == [], lines
    # A bad value in the file is refused before anything runs, naming the key and its line.
    config.write_text('[log]\nlevel = "loud"\n')
    cp = harness.run(["--config", str(config), *land], check=False, timeout=60)
    assert cp.returncode == 2 and f"{config}:2: [log] level: 'loud' is not one of" in cp.stderr, cp.stderr
