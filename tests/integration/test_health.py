"""`eventlake up`'s /healthz and /metrics cover every component: broker, collector and lander."""
import json
import pathlib
import re
import shutil

from harness import http_request, wait_until


def metric(text, name, labels=""):
    """The value of sample `name{labels}` in Prometheus text, or None."""
    m = re.search(rf"^{re.escape(name)}{re.escape('{' + labels + '}') if labels else ''} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def scrape(url):
    status, _, body = http_request(url, "GET", "/metrics")
    assert status == 200
    return body.decode()


def health(url):
    status, _, body = http_request(url, "GET", "/healthz")
    return status, json.loads(body)


def test_up_reports_every_component_and_a_lander_that_cannot_land(procs, tmp_path):
    data = tmp_path / "data"
    up, _, url = procs.up(data, extra=["--flush-ms", "50"])
    for i in range(5):
        assert http_request(url, "GET", f"/purchase_a_sword?n={i}")[0] == 200
    wait_until(lambda: metric(scrape(url), "eventlake_lander_events_total", 'topic="events"') == 5, 30,
               "the lander to count 5 events")
    text = scrape(url)
    assert metric(text, "eventlake_broker_records_in_total", 'topic="events"') == 5
    assert metric(text, "eventlake_broker_requests_total", 'api="Produce"') >= 1
    assert metric(text, "eventlake_broker_requests_total", 'api="Fetch"') >= 1
    assert metric(text, "eventlake_broker_log_size_bytes", 'topic="events",partition="0"') > 0
    assert metric(text, "eventlake_broker_high_watermark", 'topic="events",partition="0"') == 5
    assert metric(text, "eventlake_broker_writable") == 1
    assert metric(text, "eventlake_lander_files_total", 'topic="events"') >= 1
    assert metric(text, "eventlake_lander_lag_records", 'topic="events",partition="0"') == 0
    assert metric(text, "eventlake_lander_landing", 'topic="events"') == 1
    assert metric(text, "eventlake_collector_events_total") is not None or "eventlake_collector" in text
    status, body = health(url)
    assert status == 200 and body["components"] == {"collector": "ok", "broker": "ok", "lander": "ok"}, body
    # Every metric the shipped alert rules and dashboard use exists.
    deploy = pathlib.Path(__file__).resolve().parents[2] / "deploy"
    used = set()
    for f in ("prometheus-alerts.yml", "grafana-dashboard.json"):
        used |= set(re.findall(r"eventlake_[a-z_]+", (deploy / f).read_text()))
    base = lambda name: re.sub(r"_(bucket|sum|count)$", "", name)  # noqa: E731
    served = {base(m) for m in re.findall(r"^(eventlake_[a-z_]+)", text, re.M)}
    names = {base(m) for m in used}
    assert names and names <= served, sorted(names - served)

    # A file where the lake's folder should be: the lander cannot land, and /healthz says so.
    lake = data / "lake"
    shutil.rmtree(lake)
    lake.write_text("not a folder")
    assert http_request(url, "GET", "/purchase_a_sword?n=5")[0] == 200
    wait_until(lambda: health(url)[0] == 503, 30, "/healthz to report the lander")
    status, body = health(url)
    assert body["status"] == "unavailable" and body["components"]["lander"].startswith("not landing: "), body
    assert body["components"]["broker"] == "ok" and body["components"]["collector"] == "ok", body
    assert metric(scrape(url), "eventlake_lander_landing", 'topic="events"') == 0

    lake.unlink()  # the folder comes back: the lander lands again and /healthz is green
    wait_until(lambda: health(url)[0] == 200, 60, "/healthz green again")
    wait_until(lambda: metric(scrape(url), "eventlake_lander_events_total", 'topic="events"') == 6, 30,
               "the sixth event landed")
    assert up.popen.poll() is None
