"""The web console in a real browser: `eventlake up` serves it on its own listener; Debian's
chromium (headless, through chromium-driver and python3-selenium) loads every page with no error
in the browser's console, the overview shows events sent over HTTP, Live events shows one within
2 s, Topics & groups browses a partition's messages and shows a group's members, the Lake page
shows tables, schema versions and dead letters and replays them after asking, and the SQL page
runs a query with Ctrl-Enter, charts it and downloads it as CSV. The API refuses writes; a console
open to the network needs a token.

With EL_CONSOLE_SCREENSHOTS=DIR the browser tests save a screenshot of each page there (the
README's pictures come from docs/console/, made so)."""
import json
import os
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from harness import Procs, http_request, produce, run, wait_until

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    """One headless chromium for the module."""
    driver_path = shutil.which("chromedriver")
    if not driver_path or not shutil.which("chromium"):
        pytest.skip("chromium and chromium-driver are not installed (scripts/setup.sh)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions",
                "--disable-background-networking"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """`eventlake up` with its console on 127.0.0.1:0; yields (http url, console url, kafka host:port)."""
    tmp = tmp_path_factory.mktemp("console")
    procs = Procs(tmp)
    pf = tmp / "up.port"
    p = procs.start(["up", "--data", str(tmp / "data"), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0",
                     "--console", "127.0.0.1:0", "--port-file", str(pf), "--flush-ms", "200",
                     "--console-port-file", str(tmp / "console.port")], "up")
    ports = p.wait_port_file(pf, 20)
    assert "console" in ports, p.output()
    assert int((tmp / "console.port").read_text()) == ports["console"]
    wait_until(lambda: f"console http://127.0.0.1:{ports['console']}/" in p.output(), 10, "up's console line")
    yield f"http://127.0.0.1:{ports['http']}", f"http://127.0.0.1:{ports['console']}", f"127.0.0.1:{ports['kafka']}"
    procs.kill_all()


def screenshot(driver, name):
    """Saves the window as DIR/name.png when EL_CONSOLE_SCREENSHOTS=DIR is set."""
    shots = os.environ.get("EL_CONSOLE_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(shots) / f"{name}.png"))


def severe_logs(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def api(console, path, body=None, headers=None):
    req = urllib.request.Request(console + path, method="POST" if body is not None else "GET",
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_up_prints_and_serves_the_console(pipeline):
    _, console, _ = pipeline
    status, health = api(console, "/api/health")
    assert status == 200
    assert set(health["components"]) >= {"collector", "broker", "lander"}
    with urllib.request.urlopen(console + "/", timeout=10) as res:
        page = res.read().decode()
        assert res.headers["Content-Type"].startswith("text/html")
        assert "default-src 'self'" in res.headers["Content-Security-Policy"]
    # Everything the page loads comes from the console itself.
    assert "http://" not in page and "https://" not in page
    for asset in ("/assets/uPlot.iife.min.js", "/assets/codemirror.js", "/assets/tabulator.min.js",
                  "/licenses/LICENSES.md"):
        with urllib.request.urlopen(console + asset, timeout=10) as res:
            assert res.status == 200 and len(res.read()) > 100


def test_every_page_loads_without_errors(pipeline, browser):
    _, console, _ = pipeline
    for page, ready in (("#overview", "health-table"), ("#live", "live-table"), ("#topics", "topics-table"),
                        ("#lake", "lake-tables"), ("#sql", "sql-run")):
        browser.get(console + "/" + page)
        WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, ready).is_displayed())
        if page == "#overview":
            WebDriverWait(browser, 15).until(
                lambda d: "collector" in d.find_element(By.ID, "health-table").text)
        elif page == "#topics":
            WebDriverWait(browser, 15).until(lambda d: "events" in d.find_element(By.ID, "topics-table").text)
        elif page == "#sql":
            WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror"))
        assert severe_logs(browser) == [], page


def test_overview_shows_the_collectors_events(pipeline, browser):
    http, console, _ = pipeline
    browser.get(console + "/#overview")
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "events-in-total").text != "")
    before = int(browser.find_element(By.ID, "events-in-total").text.replace(",", "") or 0)
    for _ in range(7):
        assert http_request(http, "GET", "/purchase_a_sword")[0] == 200
    WebDriverWait(browser, 10).until(
        lambda d: int(d.find_element(By.ID, "events-in-total").text.replace(",", "") or 0) >= before + 7)
    # The rate chart and the landed count follow.
    WebDriverWait(browser, 30).until(
        lambda d: int(d.find_element(By.ID, "events-landed-total").text.replace(",", "") or 0) >= before + 7)
    WebDriverWait(browser, 15).until(lambda d: "events" in d.find_element(By.ID, "tables-table").text)
    assert browser.find_elements(By.CSS_SELECTOR, "#rates-chart canvas")
    assert severe_logs(browser) == []


def test_an_event_sent_over_http_appears_in_live_events_within_2s(pipeline, browser):
    http, console, _ = pipeline
    browser.get(console + "/#live")
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "live-state").text == "reading")
    marker = "live-" + str(time.time_ns())
    sent = time.monotonic()
    assert http_request(http, "GET", f"/purchase_a_sword?marker={marker}")[0] == 200
    WebDriverWait(browser, 2, poll_frequency=0.05).until(
        lambda d: marker in d.find_element(By.ID, "live-table").text)
    assert time.monotonic() - sent < 2.5
    screenshot(browser, "live")
    # Every page shares the one reader: a second look at the API sees the same event.
    status, body = api(console, "/api/live?after=0")
    assert status == 200 and any(marker in e["value"] for e in body["events"])
    assert api(console, "/api/live?after=x")[0] == 400
    assert severe_logs(browser) == []


def test_sql_page_runs_a_query_charts_it_and_downloads_csv(pipeline, browser, tmp_path):
    http, console, _ = pipeline
    for _ in range(3):
        http_request(http, "GET", "/purchase_a_sword?color=red")
    assert http_request(http, "GET", "/")[0] == 200
    wait_until(lambda: api(console, "/api/sql", {"sql": "SELECT count(*) FROM events WHERE event_type = 'default'"})
               [1].get("rows") == [["1"]], 30, "the events table")
    browser.get(console + "/#sql")
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror"))
    query = "SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY 1"
    browser.execute_script("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])", query)
    editor_input = browser.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    editor_input.send_keys(Keys.CONTROL, Keys.ENTER)
    WebDriverWait(browser, 15).until(
        lambda d: "purchase_sword" in d.find_element(By.ID, "sql-grid").text)
    assert "2 rows" in browser.find_element(By.ID, "sql-status").text
    # A chart of the result: text on x gives bars of the numeric column.
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sql-chart canvas"))
    assert Select(browser.find_element(By.ID, "chart-type")).first_selected_option.text == "bar"
    assert Select(browser.find_element(By.ID, "chart-x")).first_selected_option.text == "event_type"
    assert Select(browser.find_element(By.ID, "chart-y")).first_selected_option.text == "n"
    assert "event_type" in browser.find_element(By.ID, "sql-chart").text  # the legend
    screenshot(browser, "sql")
    # A line over time, axes picked from the columns.
    browser.execute_script("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])",
                           "SELECT date_trunc('second', _timestamp) AS t, count(*) AS n, max(_offset) AS last "
                           "FROM events GROUP BY 1 ORDER BY 1")
    browser.find_element(By.ID, "sql-run").click()
    WebDriverWait(browser, 15).until(lambda d: "last" in d.find_element(By.ID, "sql-grid").text)
    Select(browser.find_element(By.ID, "chart-type")).select_by_visible_text("line")
    Select(browser.find_element(By.ID, "chart-y")).select_by_visible_text("last")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#sql-chart canvas")) == 1
    assert browser.find_element(By.ID, "sql-chart").is_displayed()
    # History keeps both queries, newest first.
    options = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "sql-history")).options]
    assert options[2] == query and options[1].startswith("SELECT date_trunc")
    # CSV download of the whole result.
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.ID, "sql-csv").click()
    target = tmp_path / "eventlake-query.csv"
    wait_until(lambda: target.exists() and target.stat().st_size > 0, 10, "the CSV download")
    lines = target.read_text().splitlines()
    assert lines[0].replace('"', "") == "t,n,last" and len(lines) >= 2
    assert severe_logs(browser) == []


def ensure_dead_letter(kafka, console):
    """A value that is no JSON, landed into events_dead_letter (produced once per module)."""
    def dead():
        return [t for t in api(console, "/api/dead-letters")[1]["tables"] if t["source"] == "events"]
    if not dead():
        produce(kafka, "events", ["this is not json {"])
    wait_until(lambda: dead() and dead()[0]["rows"] >= 1, 30, "the dead letter")
    return dead()[0]


def test_lake_page_shows_tables_schemas_dead_letters_and_replays_after_asking(pipeline, browser):
    http, console, kafka = pipeline
    assert http_request(http, "GET", "/purchase_a_sword")[0] == 200
    before = ensure_dead_letter(kafka, console)
    assert "this is not json" in before["newest"][0]["raw"] and before["newest"][0]["error"]
    # The overview names the newest dead letter's error.
    browser.get(console + "/#overview")
    WebDriverWait(browser, 15).until(lambda d: "events_dead_letter" in d.find_element(By.ID, "dead-newest").text)
    assert before["newest"][0]["error"] in browser.find_element(By.ID, "dead-newest").text
    WebDriverWait(browser, 15).until(lambda d: "events" in d.find_element(By.ID, "freshness-table").text)
    screenshot(browser, "overview")

    browser.get(console + "/#lake")
    WebDriverWait(browser, 15).until(lambda d: "events_purchase_sword" in d.find_element(By.ID, "lake-tables").text)
    status, tables = api(console, "/api/tables")
    events = next(t for t in tables["tables"] if t["name"] == "events")
    assert events["rows"] >= 1 and events["files"] >= 1 and events["partitions"] >= 1
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#lake-tables tbody tr")
               if r.find_elements(By.TAG_NAME, "td")[0].text == "events")
    row.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "schema-card").is_displayed())
    assert "v1" in browser.find_element(By.ID, "schema-versions").text
    status, schema = api(console, "/api/schema?table=events")
    assert status == 200 and schema["histories"][0]["versions"][0]["version"] == 1
    WebDriverWait(browser, 10).until(lambda d: "this is not json" in d.find_element(By.ID, "dead-tables").text)

    # Replay asks first; nothing happens until the answer.
    browser.find_element(By.XPATH, "//button[starts-with(text(), 'Replay events')]").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "replay-confirm").is_displayed())
    assert "events_dead_letter" in browser.find_element(By.ID, "replay-question").text
    screenshot(browser, "lake")
    assert ensure_dead_letter(kafka, console)["replayed"] == before["replayed"]
    browser.find_element(By.ID, "replay-yes").click()
    WebDriverWait(browser, 30).until(lambda d: "replayed" in d.find_element(By.ID, "replay-result").text)
    assert "replayed 1 dead letters" in browser.find_element(By.ID, "replay-result").text
    # The value is still no JSON: it lands again as a new dead letter.
    wait_until(lambda: ensure_dead_letter(kafka, console)["rows"] >= before["rows"] + 1, 30, "the replayed value")
    assert ensure_dead_letter(kafka, console)["replayed"] == before["replayed"] + 1
    assert severe_logs(browser) == []


def test_replay_api_needs_the_answer_to_its_question(pipeline):
    _, console, kafka = pipeline
    ensure_dead_letter(kafka, console)
    status, asked = api(console, "/api/replay", {"table": "events"})
    assert status == 200 and asked["dead_letter_table"] == "events_dead_letter" and len(asked["confirm"]) == 32
    assert api(console, "/api/replay", {"table": "events", "confirm": "0" * 32})[0] == 409
    # A wrong answer uses the question up.
    assert api(console, "/api/replay", {"table": "events", "confirm": asked["confirm"]})[0] == 409
    assert api(console, "/api/replay", {"table": "no_such_table"})[0] == 404
    assert api(console, "/api/replay", {"nothing": 1})[0] == 400
    assert api(console, "/api/replay", {"table": "events", "confirm": True})[0] == 400
    assert http_request(console, "GET", "/api/replay")[0] == 405
    assert api(console, "/api/schema?table=no_such_table")[0] == 404
    assert api(console, "/api/schema?table=..%2Fevents")[0] == 400
    assert api(console, "/api/schema")[0] == 400


def test_topics_page_browses_messages_and_shows_group_members(pipeline, browser):
    http, console, kafka = pipeline
    marker = "browse-" + str(time.time_ns())
    since = int(time.time() * 1000) - 1000
    assert http_request(http, "GET", f"/purchase_a_sword?marker={marker}")[0] == 200
    status, topics = api(console, "/api/topics")
    events = next(t for t in topics["topics"] if t["name"] == "events")
    assert events["bytes"] > 0 and events["partitions"][0]["bytes"] > 0
    assert "retention_ms" in events and "retention_bytes" in events
    status, page = api(console, "/api/messages?" + urllib.parse.urlencode({"topic": "events", "time": since}))
    assert status == 200 and any(marker in m["value"] for m in page["messages"])
    status, first = api(console, "/api/messages?topic=events&partition=0&offset=0&limit=2")
    assert status == 200 and [m["offset"] for m in first["messages"]] == [0, 1] and first["from"] == 0
    future = int(time.time() * 1000) + 3600_000
    assert api(console, f"/api/messages?topic=events&time={future}")[1]["messages"] == []
    assert api(console, "/api/messages?topic=events&partition=7")[0] == 404
    assert api(console, "/api/messages?topic=no_such_topic")[0] == 404
    assert api(console, "/api/messages?topic=events&offset=1&time=1")[0] == 400
    assert api(console, "/api/messages?topic=events&limit=0")[0] == 400
    assert api(console, "/api/messages?topic=events&offset=x")[0] == 400
    status, beyond = api(console, "/api/messages?topic=events&offset=9223372036854775807")
    assert status == 200 and beyond["messages"] == []
    assert api(console, "/api/messages?topic=events&offset=9223372036854775808")[0] == 400

    # A group with a member: its client and assignment show.
    from confluent_kafka import Consumer
    member = Consumer({"bootstrap.servers": kafka, "group.id": "console-test-group",
                       "client.id": "console-test-client", "auto.offset.reset": "earliest"})
    try:
        member.subscribe(["events"])
        wait_until(lambda: member.poll(0.2) is not None and member.assignment(), 30, "the member's assignment")

        def listed():
            g = [g for g in api(console, "/api/groups")[1]["groups"] if g["group"] == "console-test-group"]
            return g[0]["member_list"] if g else []
        wait_until(lambda: any(m["client_id"] == "console-test-client" and
                               m["assignment"] == [{"topic": "events", "partitions": [0]}] for m in listed()),
                   20, "the member in /api/groups")
        browser.get(console + "/#topics")
        WebDriverWait(browser, 15).until(lambda d: "console-test-client" in d.find_element(By.ID, "groups-table").text)
        assert "events [0]" in browser.find_element(By.ID, "groups-table").text
        # Browse from a time.
        WebDriverWait(browser, 10).until(
            lambda d: "events" in [o.text for o in Select(d.find_element(By.ID, "browse-topic")).options])
        browser.find_element(By.CSS_SELECTOR, "input[name=browse-from][value=time]").click()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(since / 1000))
        browser.execute_script("document.getElementById('browse-time').value = arguments[0]", stamp)
        browser.find_element(By.ID, "browse-go").click()
        WebDriverWait(browser, 15).until(lambda d: marker in d.find_element(By.ID, "browse-table").text)
        assert "message" in browser.find_element(By.ID, "browse-status").text
        screenshot(browser, "topics")
        assert severe_logs(browser) == []
    finally:
        member.close()


def test_api_refuses_writes_and_bad_input(pipeline, tmp_path):
    _, console, _ = pipeline
    target = tmp_path / "out.csv"
    for sql in (f"COPY (SELECT 1) TO '{target}'", "CREATE TABLE x AS SELECT 1", "INSTALL httpfs",
                "ATTACH ':memory:' AS m", "SET threads = 1", "SELECT 1; DROP VIEW events"):
        status, body = api(console, "/api/sql", {"sql": sql})
        assert status == 400 and "error" in body, sql
    assert not target.exists()
    assert api(console, "/api/sql", {"nosql": 1})[0] == 400
    status, body = api(console, "/api/sql", {"sql": "SELECT * FROM no_such_table"})
    assert status == 400 and "no_such_table" in body["error"]
    assert api(console, "/api/nothing")[0] == 404
    assert http_request(console, "GET", "/api/sql")[0] == 405


def test_non_loopback_console_needs_a_token(tmp_path):
    cp = run(["up", "--data", str(tmp_path / "data"), "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0",
              "--console", "0.0.0.0:0"], check=False, timeout=30)
    assert cp.returncode == 2
    assert "token" in cp.stderr and "loopback" in cp.stderr
    assert not (tmp_path / "data").exists()  # refused before anything started


def test_token_is_required_when_set(procs, tmp_path):
    pf = tmp_path / "console.port"
    (tmp_path / "lake").mkdir()
    p = procs.start(["console", "--lake", str(tmp_path / "lake"), "--listen", "127.0.0.1:0",
                     "--token", "s3cret", "--port-file", str(pf)], "console")
    console = f"http://127.0.0.1:{p.wait_port_file(pf)['main']}"
    assert api(console, "/api/health")[0] == 401
    assert api(console, "/api/health", headers={"Authorization": "Bearer wrong"})[0] == 401
    assert api(console, "/api/health", headers={"Authorization": "Bearer s3cret"})[0] == 200
    assert api(console, "/api/tables", headers={"Cookie": "el_console_token=s3cret"})[0] == 200
    status, headers, _ = http_request(console, "GET", "/?token=s3cret")
    assert status == 303 and headers["location"] == "/"
    assert "el_console_token=s3cret" in headers["set-cookie"] and "HttpOnly" in headers["set-cookie"]
    assert http_request(console, "GET", "/")[0] == 401
    assert http_request(console, "GET", "/", headers={"Cookie": "el_console_token=s3cret"})[0] == 200
    # A console over a lake alone: no log to browse or replay into.
    auth = {"Authorization": "Bearer s3cret"}
    assert api(console, "/api/dead-letters", headers=auth) == (200, {"tables": []})
    assert api(console, "/api/messages?topic=events", headers=auth)[0] == 409
    assert api(console, "/api/replay", {"table": "events"}, headers=auth)[0] == 409
    assert api(console, "/api/replay", {"table": "events"})[0] == 401


def test_console_alone_watches_a_running_pipeline(procs, tmp_path):
    _, kafka, http = procs.up(tmp_path / "data", extra=["--console", "off"])
    pf = tmp_path / "console.port"
    p = procs.start(["console", "--lake", str(tmp_path / "data" / "lake"), "--admin", http,
                     "--brokers", kafka, "--data", str(tmp_path / "data" / "log"),
                     "--listen", "127.0.0.1:0", "--port-file", str(pf)], "console")
    console = f"http://127.0.0.1:{p.wait_port_file(pf)['main']}"
    status, health = api(console, "/api/health")
    assert status == 200 and health["components"]["collector"] == "ok"
    assert http_request(http, "GET", "/purchase_a_sword")[0] == 200
    wait_until(lambda: any(s["name"] == "eventlake_collector_events_total" and s["value"] >= 1
                           for s in api(console, "/api/metrics")[1]["samples"]), 10, "the collector's count")
    status, topics = api(console, "/api/topics")
    assert status == 200 and "events" in [t["name"] for t in topics["topics"]]
    disk = api(console, "/api/disk")[1]
    assert disk["log"] > 0 and disk["lake"] is not None
    events = next(t for t in topics["topics"] if t["name"] == "events")
    assert events["bytes"] > 0  # the log's folder, from --data
    status, page = api(console, "/api/messages?topic=events&offset=0&limit=1")
    assert status == 200 and "purchase_sword" in page["messages"][0]["value"]
    wait_until(lambda: api(console, "/api/sql", {"sql": "SELECT count(*) FROM events"})[0] == 200, 30,
               "the landed events")
    # The lander commits what it landed to its group, for lag tools: the groups API shows it.
    wait_until(lambda: any(g["group"].startswith("eventlake-land-events") and g["lag"]
                           for g in api(console, "/api/groups")[1]["groups"]), 30, "the lander's group")


def test_live_reader_is_bounded_when_the_topic_outruns_it(pipeline):
    """A burst far above what the pages show: the one reader skips to the newest events instead of
    reading them all (its cost does not grow with the topic's rate)."""
    _, console, kafka = pipeline
    wait_until(lambda: api(console, "/api/live")[1]["state"] == "reading", 15, "the live reader")
    before = api(console, "/api/live")[1]["next"]
    burst = 5000
    produce(kafka, "events", [json.dumps({"event_type": "bulk", "i": i}) for i in range(burst)])
    last = max(p["high"] for p in
               next(t for t in api(console, "/api/topics")[1]["topics"] if t["name"] == "events")["partitions"]) - 1

    def newest():
        return api(console, f"/api/live?after={before}")[1]
    wait_until(lambda: any(e["offset"] == last for e in newest()["events"]), 15, "the burst's last event")
    taken = newest()["next"] - before
    assert 0 < taken < burst // 2, taken
