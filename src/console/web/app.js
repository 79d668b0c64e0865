// The eventlake console: the page router and the Overview, Live events and Topics & groups pages,
// over the JSON API under /api/ (docs/console-api.md); lake.js and sql.js hold the Lake and SQL
// pages. Libraries: uPlot (charts), CodeMirror 5 (editor), Tabulator (grid).
"use strict";
(function () {
  const { $, getJson, text, fmtNumber, fmtBytes, fmtAgo, fmtTime, fillRows, pages: hooks } = EL;

  // ---- pages ----
  const pages = ["overview", "live", "topics", "lake", "sql"];
  function showPage() {
    const name = pages.includes(location.hash.slice(1)) ? location.hash.slice(1) : "overview";
    for (const p of pages) $("page-" + p).hidden = p !== name;
    document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === name));
    if (hooks[name]) hooks[name].show();
  }

  // ---- overview ----
  let chart = null;
  function ensureChart() {
    if (chart) return chart;
    const el = $("rates-chart");
    chart = new uPlot({
      width: Math.max(300, el.clientWidth || 800), height: 220,
      series: [{}, { label: "in /s", stroke: "#5fa8ff", width: 2 }, { label: "landed /s", stroke: "#2e8b57", width: 2 }],
      // Whole seconds, as UTC hh:mm:ss like every time the console shows.
      axes: [{ incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900], space: 70,
        values: (u, splits) => splits.map((s) => new Date(s * 1000).toISOString().slice(11, 19)) },
      { label: "events/s" }],
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
    const dead = await getJson("/api/dead-letters");
    let newest = null;
    for (const tbl of dead.tables) {
      const r = tbl.newest[0];
      if (r && (!newest || (r.timestamp_ms || 0) > (newest.timestamp_ms || 0))) newest = Object.assign({ table: tbl.table }, r);
    }
    const el = $("dead-newest");
    text(el, newest ? newest.table + " @" + newest.partition + ":" + newest.offset + " " + fmtAgo(newest.timestamp_ms) + ": " + newest.error : "none");
    el.className = newest ? "bad" : "";
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
      for (const v of [fmtTime(e.timestamp_ms), e.partition, e.offset, e.value]) {
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
  function fmtRetention(t) {
    const parts = [];
    if (t.retention_ms !== null && t.retention_ms !== undefined)
      parts.push(t.retention_ms < 0 ? "forever" : t.retention_ms % 86400000 === 0 ? t.retention_ms / 86400000 + " d" : t.retention_ms / 3600000 + " h");
    if (t.retention_bytes !== null && t.retention_bytes !== undefined && t.retention_bytes >= 0) parts.push(fmtBytes(t.retention_bytes) + " per partition");
    return parts.length ? parts.join(", ") : "–";
  }

  async function refreshTopics() {
    if ($("page-topics").hidden) return;
    const t = await getJson("/api/topics");
    fillRows($("topics-table").tBodies[0], t.topics.map((x) => [x.name, String(x.partitions.length),
      fmtNumber(x.messages), fmtBytes(x.bytes), fmtRetention(x),
      x.partitions.map((p) => p.id + ": " + p.low + ".." + p.high + (p.bytes === null ? "" : ", " + fmtBytes(p.bytes))).join("; ")]));
    const sel = $("browse-topic");
    const names = t.topics.map((x) => x.name);
    if (sel.options.length !== names.length || names.some((n, i) => sel.options[i].value !== n)) {
      const keep = sel.value;
      sel.replaceChildren(...names.map((n) => new Option(n, n)));
      if (names.includes(keep)) sel.value = keep;
    }
    const g = await getJson("/api/groups");
    const rows = [];
    for (const grp of g.groups) {
      const members = grp.member_list.length ? grp.member_list.map((m) => m.client_id + " (" + m.host + "): " +
        (m.assignment.map((a) => a.topic + " [" + a.partitions.join(", ") + "]").join("; ") || "nothing assigned")).join("\n") : "none";
      const byTopic = {};
      for (const l of grp.lag) (byTopic[l.topic] = byTopic[l.topic] || []).push(l);
      const topics = Object.keys(byTopic);
      if (!topics.length) rows.push([grp.group, grp.state, members, "–", "–", "–"]);
      for (const topic of topics) {
        const ls = byTopic[topic];
        rows.push([grp.group, grp.state, members, topic,
          ls.map((l) => l.partition + ": " + (l.committed < 0 ? "–" : l.committed)).join(", "),
          ls.map((l) => l.partition + ": " + (l.lag < 0 ? "–" : fmtNumber(l.lag))).join(", ")]);
      }
    }
    fillRows($("groups-table").tBodies[0], rows);
  }

  async function browse(ev) {
    if (ev) ev.preventDefault();
    const q = new URLSearchParams({ topic: $("browse-topic").value, partition: $("browse-partition").value || "0",
      limit: $("browse-limit").value || "50" });
    const byTime = document.querySelector("input[name=browse-from]:checked").value === "time";
    if (byTime) {
      const ms = Date.parse($("browse-time").value + "Z");
      if (Number.isNaN(ms)) { text($("browse-status"), "pick a time"); return; }
      q.set("time", String(ms));
    } else {
      q.set("offset", $("browse-offset").value || "0");
    }
    text($("browse-status"), "reading…");
    try {
      const r = await getJson("/api/messages?" + q.toString());
      fillRows($("browse-table").tBodies[0], r.messages.map((m) =>
        [String(m.offset), fmtTime(m.timestamp_ms), m.key === null ? "–" : m.key, m.value === null ? "–" : m.value]));
      text($("browse-status"), r.messages.length + " message" + (r.messages.length === 1 ? "" : "s") + " from offset " +
        r.from + " (partition " + r.partition + " holds " + r.low + ".." + r.high + ")");
    } catch (e) {
      text($("browse-status"), e.message);
    }
  }

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
  setInterval(() => { if (!$("page-lake").hidden) hooks.lake.refresh(); }, 5000);
  $("browse-form").addEventListener("submit", browse);
  $("live-pause").addEventListener("click", (ev) => {
    live.paused = !live.paused;
    ev.target.textContent = live.paused ? "Resume" : "Pause";
  });
})();
