// The eventlake console: Overview and SQL pages over the JSON API under /api/
// (docs/console-api.md). Libraries: uPlot (chart), CodeMirror 5 (editor), Tabulator (grid).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  async function getJson(path, init) {
    const res = await fetch(path, Object.assign({ credentials: "same-origin" }, init || {}));
    const body = await res.json();
    if (!res.ok) throw new Error(body && body.error ? body.error : "HTTP " + res.status);
    return body;
  }

  function text(el, value) { el.textContent = value; }

  function fmtNumber(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return "–";
    return Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en") : String(Math.round(n * 10) / 10);
  }

  function fmtBytes(b) {
    if (b === null || b === undefined) return "–";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let u = 0;
    while (b >= 1024 && u < units.length - 1) { b /= 1024; u++; }
    return (u === 0 ? b : b.toFixed(1)) + " " + units[u];
  }

  function fmtAgo(ms) {
    if (!ms) return "–";
    const s = Math.max(0, (Date.now() - ms) / 1000);
    return s < 90 ? Math.round(s) + " s ago" : Math.round(s / 60) + " min ago";
  }

  function fillRows(tbody, rows) {
    tbody.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement("tr");
      for (const c of cells) {
        const td = document.createElement("td");
        if (typeof c === "object" && c !== null) { td.textContent = c.text; td.className = c.cls || ""; }
        else td.textContent = c;
        tr.appendChild(td);
      }
      return tr;
    }));
  }

  // ---- pages ----
  const pages = ["overview", "live", "topics", "sql"];
  function showPage() {
    const name = pages.includes(location.hash.slice(1)) ? location.hash.slice(1) : "overview";
    for (const p of pages) $("page-" + p).hidden = p !== name;
    document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === name));
    if (name === "sql") sqlPage.show();
  }

  // ---- overview ----
  let chart = null;
  function ensureChart() {
    if (chart) return chart;
    const el = $("rates-chart");
    chart = new uPlot({
      width: Math.max(300, el.clientWidth || 800), height: 220,
      series: [{}, { label: "in /s", stroke: "#5fa8ff", width: 2 }, { label: "landed /s", stroke: "#2e8b57", width: 2 }],
      axes: [{}, { label: "events/s" }],
    }, [[], [], []], el);
    window.addEventListener("resize", () => chart.setSize({ width: Math.max(300, el.clientWidth), height: 220 }));
    return chart;
  }

  function samplesNamed(samples, name) { return samples.filter((s) => s.name === name); }
  function sumOf(samples, name) { return samplesNamed(samples, name).reduce((a, s) => a + s.value, 0); }

  async function refreshHealth() {
    const h = await getJson("/api/health");
    const rows = Object.entries(h.components || {}).map(([name, state]) =>
      [name, { text: state, cls: state === "ok" ? "ok" : "bad" }]);
    fillRows($("health-table").tBodies[0], rows);
    const badge = $("overall");
    text(badge, h.status === "ok" ? "healthy" : "unwell");
    badge.className = "badge " + (h.status === "ok" ? "ok" : "bad");
  }

  async function refreshMetrics() {
    const m = await getJson("/api/metrics");
    const s = m.samples || [];
    text($("events-in-total"), fmtNumber(sumOf(s, "eventlake_collector_events_total")));
    text($("events-landed-total"), fmtNumber(sumOf(s, "eventlake_lander_events_total")));
    text($("dead-letters"), fmtNumber(sumOf(s, "eventlake_lander_dead_letters_total")));
    text($("land-errors"), fmtNumber(sumOf(s, "eventlake_lander_errors_total")));
    const landedAt = {};
    for (const x of samplesNamed(s, "eventlake_lander_last_landed_timestamp_seconds")) landedAt[x.labels.topic] = x.value;
    fillRows($("freshness-table").tBodies[0], samplesNamed(s, "eventlake_lander_lag_seconds").map((x) =>
      [x.labels.topic || "–", fmtNumber(x.value) + " s", landedAt[x.labels.topic] ? fmtAgo(landedAt[x.labels.topic] * 1000) : "nothing yet"]));
    const lag = {};
    for (const x of samplesNamed(s, "eventlake_broker_group_lag_records")) {
      const k = x.labels.group + "\u0000" + x.labels.topic;
      lag[k] = (lag[k] || 0) + x.value;
    }
    fillRows($("lag-table").tBodies[0], Object.entries(lag).map(([k, v]) => [...k.split("\u0000"), fmtNumber(v)]));
  }

  async function refreshRates() {
    const r = await getJson("/api/rates");
    ensureChart().setData([r.t, r.in, r.landed]);
    const n = r.t.length;
    text($("events-in-rate"), n ? fmtNumber(r.in[n - 1]) : "0");
    text($("events-landed-rate"), n ? fmtNumber(r.landed[n - 1]) : "0");
  }

  async function refreshSlow() {
    const d = await getJson("/api/disk");
    text($("disk-log"), fmtBytes(d.log));
    text($("disk-lake"), fmtBytes(d.lake));
    const t = await getJson("/api/tables");
    fillRows($("tables-table").tBodies[0], t.tables.map((x) =>
      [x.name, fmtNumber(x.rows), String(x.files), fmtBytes(x.bytes), fmtAgo(x.last_landed_ms)]));
  }

  function every(ms, fn) {
    const run = () => { if (!$("page-overview").hidden || fn === refreshHealth) fn().catch((e) => showProblem(e)); };
    run();
    setInterval(run, ms);
  }

  function showProblem(e) {
    const badge = $("overall");
    text(badge, "unreachable");
    badge.className = "badge bad";
    badge.title = String(e && e.message ? e.message : e);
  }

  // ---- live events ----
  const live = { after: null, paused: false, shown: 0, max: 500 };
  async function refreshLive() {
    if ($("page-live").hidden || live.paused) return;
    const r = await getJson("/api/live" + (live.after === null ? "" : "?after=" + live.after));
    text($("live-state"), r.state);
    const first = live.after === null;
    live.after = r.next;
    if (first) return;  // what was there before the page opened is not live
    const tbody = $("live-table").tBodies[0];
    for (const e of r.events) {
      const tr = document.createElement("tr");
      for (const v of [new Date(e.timestamp_ms).toISOString().replace("T", " ").slice(0, 23), e.partition, e.offset, e.value]) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.appendChild(td);
      }
      tbody.insertBefore(tr, tbody.firstChild);
    }
    while (tbody.rows.length > live.max) tbody.deleteRow(tbody.rows.length - 1);
    text($("live-count"), String(tbody.rows.length));
  }

  // ---- topics and groups ----
  async function refreshTopics() {
    if ($("page-topics").hidden) return;
    const t = await getJson("/api/topics");
    fillRows($("topics-table").tBodies[0], t.topics.map((x) => [x.name, String(x.partitions.length),
      fmtNumber(x.messages), x.partitions.map((p) => p.id + ": " + p.low + ".." + p.high).join(", ")]));
    const g = await getJson("/api/groups");
    const rows = [];
    for (const grp of g.groups) {
      const byTopic = {};
      for (const l of grp.lag) (byTopic[l.topic] = byTopic[l.topic] || []).push(l);
      const topics = Object.keys(byTopic);
      if (!topics.length) rows.push([grp.group, grp.state, String(grp.members), "–", "–", "–"]);
      for (const topic of topics) {
        const ls = byTopic[topic];
        rows.push([grp.group, grp.state, String(grp.members), topic,
          ls.map((l) => l.partition + ": " + (l.committed < 0 ? "–" : l.committed)).join(", "),
          fmtNumber(ls.reduce((a, l) => a + Math.max(0, l.lag), 0))]);
      }
    }
    fillRows($("groups-table").tBodies[0], rows);
  }

  // ---- SQL ----
  const sqlPage = (function () {
    let editor = null, grid = null, running = false;
    const historyKey = "eventlake.sql.history";
    const history = () => { try { return JSON.parse(localStorage.getItem(historyKey)) || []; } catch (e) { return []; } };

    function renderHistory() {
      const sel = $("sql-history");
      sel.replaceChildren(new Option("History…", ""), ...history().map((q) => new Option(q.length > 80 ? q.slice(0, 77) + "…" : q, q)));
    }

    function remember(q) {
      const h = [q, ...history().filter((x) => x !== q)].slice(0, 50);
      localStorage.setItem(historyKey, JSON.stringify(h));
      renderHistory();
    }

    async function run() {
      if (running) return;
      const sql = editor.getValue();
      if (!sql.trim()) return;
      running = true;
      $("sql-error").hidden = true;
      text($("sql-status"), "running…");
      try {
        const r = await getJson("/api/sql", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ sql }),
        });
        remember(sql);
        const columns = r.columns.map((c, i) => ({ title: c, field: "c" + i, headerTooltip: c }));
        const data = r.rows.map((row) => Object.fromEntries(row.map((v, i) => ["c" + i, v])));
        if (grid) grid.destroy();
        grid = new Tabulator("#sql-grid", {
          data, columns, layout: "fitDataStretch", pagination: true, paginationSize: 50,
          paginationSizeSelector: [25, 50, 100, 500], maxHeight: "70vh", placeholder: "no rows",
        });
        $("sql-csv").disabled = false;
        text($("sql-status"), r.rows.length + " row" + (r.rows.length === 1 ? "" : "s") +
          (r.truncated ? " (cut at the row limit)" : "") + " in " + r.elapsed_ms + " ms");
      } catch (e) {
        $("sql-error").hidden = false;
        text($("sql-error"), e.message);
        text($("sql-status"), "failed");
      } finally {
        running = false;
      }
    }

    function show() {
      if (editor) { editor.refresh(); return; }
      editor = CodeMirror.fromTextArea($("sql-editor"), {
        mode: "text/x-sql", lineNumbers: true, indentWithTabs: false, smartIndent: true,
        extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run },
      });
      $("sql-run").addEventListener("click", run);
      $("sql-history").addEventListener("change", (ev) => { if (ev.target.value) editor.setValue(ev.target.value); ev.target.value = ""; });
      $("sql-csv").addEventListener("click", () => { if (grid) grid.download("csv", "eventlake-query.csv"); });
      renderHistory();
      editor.focus();
    }
    return { show };
  })();

  window.addEventListener("hashchange", showPage);
  showPage();
  every(1000, refreshHealth);
  every(1000, refreshMetrics);
  every(1000, refreshRates);
  every(5000, refreshSlow);
  const topicsNow = () => refreshTopics().catch((e) => showProblem(e));
  window.addEventListener("hashchange", topicsNow);
  topicsNow();
  setInterval(topicsNow, 3000);
  setInterval(() => refreshLive().catch((e) => text($("live-state"), e.message)), 500);
  $("live-pause").addEventListener("click", (ev) => {
    live.paused = !live.paused;
    ev.target.textContent = live.paused ? "Resume" : "Pause";
  });
})();
