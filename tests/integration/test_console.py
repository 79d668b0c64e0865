"""The web console in a real browser: `eventlake up` serves it on its own listener; Debian's
chromium (headless, through chromium-driver and python3-selenium) loads every page with no error
in the browser's console, the overview shows events sent over HTTP, and the SQL page runs a query
with Ctrl-Enter. The API refuses writes; a console open to the network needs a token."""
import json
import shutil
import time
import urllib.request

import pytest

from harness import Procs, http_request, run, wait_until

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


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
    """`eventlake up` with its console on 127.0.0.1:0; yields (http url, console url)."""
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
    yield f"http://127.0.0.1:{ports['http']}", f"http://127.0.0.1:{ports['console']}"
    procs.kill_all()


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
    _, console = pipeline
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
    _, console = pipeline
    for page, ready in (("#overview", "health-table"), ("#live", "live-table"), ("#topics", "topics-table"),
                        ("#sql", "sql-run")):
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
    http, console = pipeline
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
    http, console = pipeline
    browser.get(console + "/#live")
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "live-state").text == "reading")
    marker = "live-" + str(time.time_ns())
    sent = time.monotonic()
    assert http_request(http, "GET", f"/purchase_a_sword?marker={marker}")[0] == 200
    WebDriverWait(browser, 2, poll_frequency=0.05).until(
        lambda d: marker in d.find_element(By.ID, "live-table").text)
    assert time.monotonic() - sent < 2.5
    # Every page shares the one reader: a second look at the API sees the same event.
    status, body = api(console, "/api/live?after=0")
    assert status == 200 and any(marker in e["value"] for e in body["events"])
    assert api(console, "/api/live?after=x")[0] == 400
    assert severe_logs(browser) == []


def test_sql_page_runs_a_query_with_ctrl_enter(pipeline, browser):
    http, console = pipeline
    for _ in range(3):
        http_request(http, "GET", "/purchase_a_sword?color=red")
    wait_until(lambda: api(console, "/api/sql", {"sql": "SELECT count(*) FROM events"})[0] == 200,
               30, "the events table")
    browser.get(console + "/#sql")
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror"))
    browser.execute_script(
        "document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])",
        "SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY 1")
    editor_input = browser.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    editor_input.send_keys(Keys.CONTROL, Keys.ENTER)
    WebDriverWait(browser, 15).until(
        lambda d: "purchase_sword" in d.find_element(By.ID, "sql-grid").text)
    assert "row" in browser.find_element(By.ID, "sql-status").text
    assert browser.find_element(By.ID, "sql-csv").is_enabled()
    assert severe_logs(browser) == []


def test_api_refuses_writes_and_bad_input(pipeline, tmp_path):
    _, console = pipeline
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
    wait_until(lambda: api(console, "/api/sql", {"sql": "SELECT count(*) FROM events"})[0] == 200, 30,
               "the landed events")
    # The lander commits what it landed to its group, for lag tools: the groups API shows it.
    wait_until(lambda: any(g["group"].startswith("eventlake-land-events") and g["lag"]
                           for g in api(console, "/api/groups")[1]["groups"]), 30, "the lander's group")
