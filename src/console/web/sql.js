// The SQL page: CodeMirror editor (SQL highlighting, Ctrl-Enter runs, history kept in the
// browser), Tabulator grid with paging and CSV download, and a uPlot chart of the result (line or
// bar; x and y picked from the result's columns). API: POST /api/sql.
"use strict";
(function () {
  const { $, postJson, text } = EL;
  let editor = null, grid = null, chart = null, running = false, result = null;
  const historyKey = "eventlake.sql.history";
  const history = () => { try { return JSON.parse(localStorage.getItem(historyKey)) || []; } catch (e) { return []; } };

  function renderHistory() {
    $("sql-history").replaceChildren(new Option("History…", ""),
      ...history().map((q) => new Option(q.length > 80 ? q.slice(0, 77) + "…" : q, q)));
  }

  function remember(q) {
    localStorage.setItem(historyKey, JSON.stringify([q, ...history().filter((x) => x !== q)].slice(0, 50)));
    renderHistory();
  }

  // ---- chart ----
  const isNumber = (v) => v !== null && v !== "" && Number.isFinite(Number(v));
  const isTime = (v) => v !== null && /^\d{4}-\d\d-\d\d/.test(v) && !Number.isNaN(Date.parse(v.replace(" ", "T")));
  function kind(col) {
    const values = result.rows.map((r) => r[col]).filter((v) => v !== null);
    if (values.length && values.every(isNumber)) return "number";
    if (values.length && values.every(isTime)) return "time";
    return "text";
  }

  function fillAxes() {
    const cols = result.columns.map((c, i) => ({ c, i, kind: kind(i) }));
    const numeric = cols.filter((x) => x.kind === "number");
    $("chart-x").replaceChildren(...cols.map((x) => new Option(x.c, x.i)));
    $("chart-y").replaceChildren(...numeric.map((x) => new Option(x.c, x.i)));
    const y = numeric.find((x) => x.i !== 0) || numeric[0];
    if (y) $("chart-y").value = y.i;
    $("chart-x").value = cols.length > 1 && y && y.i === 0 ? 1 : 0;
    if ($("chart-type").value === "none" && y && cols.length > 1) {
      $("chart-type").value = cols[Number($("chart-x").value)].kind === "text" ? "bar" : "line";
    }
  }

  function drawChart() {
    if (chart) { chart.destroy(); chart = null; }
    const box = $("sql-chart");
    const type = $("chart-type").value;
    if (!result || type === "none" || $("chart-y").value === "") { box.hidden = true; return; }
    const xi = Number($("chart-x").value), yi = Number($("chart-y").value);
    const xKind = kind(xi);
    let points = result.rows.map((r) => [r[xi], r[yi] === null ? null : Number(r[yi])]);
    let labels = null;
    if (xKind === "number") points = points.map(([x, y]) => [Number(x), y]).sort((a, b) => a[0] - b[0]);
    else if (xKind === "time") points = points.map(([x, y]) => [Date.parse(x.replace(" ", "T") + (/[zZ+]/.test(x.slice(10)) ? "" : "Z")) / 1000, y]).sort((a, b) => a[0] - b[0]);
    else { labels = points.map(([x]) => (x === null ? "NULL" : x)); points = points.map(([, y], i) => [i, y]); }
    box.hidden = false;
    const opts = {
      width: Math.max(300, box.clientWidth || 800), height: 260,
      scales: { x: { time: xKind === "time" } },
      series: [{ label: result.columns[xi] }, {
        label: result.columns[yi], stroke: "#5fa8ff", width: 2,
        fill: type === "bar" ? "rgba(95,168,255,0.5)" : undefined,
        paths: type === "bar" ? uPlot.paths.bars({ size: [0.6, 80] }) : undefined,
        points: { show: type === "line" && points.length < 60 },
      }],
      axes: [labels ? { values: (u, splits) => splits.map((i) => (Number.isInteger(i) && labels[i] !== undefined ? labels[i] : "")) } : {},
        { label: result.columns[yi] }],
    };
    if (labels) opts.scales.x.range = () => [-0.5, labels.length - 0.5];
    chart = new uPlot(opts, [points.map((p) => p[0]), points.map((p) => p[1])], box);
  }

  async function run() {
    if (running) return;
    const sql = editor.getValue();
    if (!sql.trim()) return;
    running = true;
    $("sql-error").hidden = true;
    text($("sql-status"), "running…");
    try {
      const r = await postJson("/api/sql", { sql });
      remember(sql);
      result = r;
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
      fillAxes();
      drawChart();
    } catch (e) {
      $("sql-error").hidden = false;
      text($("sql-error"), e.message);
      text($("sql-status"), "failed");
    } finally {
      running = false;
    }
  }

  EL.pages.sql = {
    show() {
      if (editor) { editor.refresh(); return; }
      editor = CodeMirror.fromTextArea($("sql-editor"), {
        mode: "text/x-sql", lineNumbers: true, indentWithTabs: false, smartIndent: true,
        extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run },
      });
      $("sql-run").addEventListener("click", run);
      $("sql-history").addEventListener("change", (ev) => { if (ev.target.value) editor.setValue(ev.target.value); ev.target.value = ""; });
      $("sql-csv").addEventListener("click", () => { if (grid) grid.download("csv", "eventlake-query.csv"); });
      for (const id of ["chart-type", "chart-x", "chart-y"]) $(id).addEventListener("change", drawChart);
      renderHistory();
      editor.focus();
    },
  };
})();
