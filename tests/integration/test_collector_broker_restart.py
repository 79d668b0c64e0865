"""The collector under load while its broker is SIGKILLed and restarted: every event answered 2xx is
in the topic afterwards (read back with kafka-python), and every other request got an error."""
import http.client
import json
import signal
import threading
import time

from kafka import KafkaConsumer



def test_broker_killed_and_restarted_under_load(procs, tmp_path):
    data = tmp_path / "data"
    broker, brokers = procs.broker(data)
    port = brokers.split(":")[1]
    _, url = procs.collector(brokers, extra=["--delivery-timeout-ms", "3000"])
    host, http_port = url.removeprefix("http://").split(":")
    answers = {}  # messageId -> status (None: connection error)
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker):
        conn = http.client.HTTPConnection(host, int(http_port), timeout=30)
        n = 0
        while not stop.is_set():
            ids = [f"w{worker}-{n}-{j}" for j in range(5)]
            n += 1
            body = json.dumps({"batch": [{"type": "track", "userId": f"user{worker}", "event": "load",
                                          "messageId": i} for i in ids]})
            try:
                conn.request("POST", "/v1/batch", body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if status == 503:
                    assert resp.getheader("Retry-After") == "1"
            except (OSError, http.client.HTTPException):
                status = None
                conn.close()
                conn = http.client.HTTPConnection(host, int(http_port), timeout=30)
            with lock:
                for i in ids:
                    answers[i] = status
        conn.close()

    workers = [threading.Thread(target=load, args=(w,)) for w in range(8)]
    for w in workers:
        w.start()
    time.sleep(2)
    broker.stop(sig=signal.SIGKILL)
    time.sleep(4)
    restarted = procs.start(["broker", "--data", str(data), "--listen", f"127.0.0.1:{port}",
                             "--port-file", str(tmp_path / "broker2.port")], "broker2")
    restarted.wait_port_file(tmp_path / "broker2.port")
    time.sleep(5)
    stop.set()
    for w in workers:
        w.join(60)

    statuses = list(answers.values())
    acked = {i for i, s in answers.items() if s == 200}
    failed = [s for s in statuses if s != 200]
    assert len(acked) > 100, f"too few acknowledged events: {len(acked)}"
    assert failed, "the outage should have failed some requests"
    assert all(s in (503, None) for s in failed), set(failed)

    consumer = KafkaConsumer("events", bootstrap_servers=brokers, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=3000)
    seen = set()
    doubled = set()
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and not acked <= seen:
        for record in consumer:
            event_id = json.loads(record.value)["event_id"]
            if event_id in seen:
                doubled.add(event_id)
            seen.add(event_id)
    consumer.close()
    missing = acked - seen
    assert not missing, f"{len(missing)} acknowledged events missing, e.g. {sorted(missing)[:5]}"
    # The collector's producer is idempotent: its retries across the broker's crash wrote no batch twice.
    assert not doubled, f"{len(doubled)} events in the topic twice, e.g. {sorted(doubled)[:5]}"
