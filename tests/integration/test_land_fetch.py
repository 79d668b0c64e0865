"""`eventlake land` reading the log with its own Fetch client: topics kcat produced with every codec,
and [kafka_client] properties only librdkafka can honour (TLS, SASL), which keep librdkafka's reader."""
import json

import harness
from harness import create_topic, kcat, land, query, topic_name

CODECS = ["gzip", "snappy", "lz4", "zstd"]


def produce_compressed(brokers, topic, partition, codec, lines):
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    kcat(["-P", "-b", brokers, "-t", topic, "-p", str(partition), "-z", codec, "-X", "linger.ms=50"], input=data)


def test_every_codec_kcat_writes_lands_each_event_once(brokers, tmp_path):
    topic = topic_name()
    create_topic(brokers, topic, partitions=len(CODECS))
    for p, codec in enumerate(CODECS):
        produce_compressed(brokers, topic, p, codec,
                           [{"event_type": codec, "n": i, "pad": "x" * (i % 50)} for i in range(500)])
    lake = tmp_path / "lake"
    cp = land(brokers, lake, topic)
    assert f"landed {500 * len(CODECS)} events" in cp.stdout, cp.stdout + cp.stderr
    assert "0 dead letters" in cp.stdout
    rows = query(lake, f'SELECT _partition AS p, event_type AS t, count(*) AS c, count(DISTINCT n) AS d, '
                       f'min(_offset) AS lo, max(_offset) AS hi FROM "{topic}" GROUP BY 1, 2 ORDER BY 1')
    assert [(int(r["p"]), r["t"], int(r["c"]), int(r["d"]), int(r["lo"]), int(r["hi"])) for r in rows] == \
        [(p, codec, 500, 500, 0, 499) for p, codec in enumerate(CODECS)]
    # A range that starts inside a compressed batch lands from its first offset on.
    lake2 = tmp_path / "lake2"
    cp = land(brokers, lake2, topic, "--from", "123", "--to", "130")
    assert f"landed {7 * len(CODECS)} events" in cp.stdout, cp.stdout + cp.stderr
    got = query(lake2, f'SELECT DISTINCT _offset AS o FROM "{topic}" ORDER BY 1')
    assert [int(r["o"]) for r in got] == list(range(123, 130))


def test_tls_or_sasl_properties_keep_librdkafkas_reader(brokers, tmp_path):
    topic = topic_name()
    create_topic(brokers, topic)
    harness.produce(brokers, topic, [{"event_type": "a", "n": i} for i in range(20)])
    config = tmp_path / "eventlake.toml"
    config.write_text('[kafka_client]\n"ssl.endpoint.identification.algorithm" = "none"\n')
    cp = harness.run(["--config", str(config), "land", "--brokers", brokers, "--lake", str(tmp_path / "lake"),
                      "--topic", topic])
    assert "landed 20 events" in cp.stdout, cp.stdout + cp.stderr
    assert "reading through librdkafka ([kafka_client] sets ssl.endpoint.identification.algorithm" in cp.stderr
    # Without such a property the fetch client reads, and says nothing about it.
    cp = land(brokers, tmp_path / "lake3", topic)
    assert "landed 20 events" in cp.stdout and "librdkafka" not in cp.stderr, cp.stderr
