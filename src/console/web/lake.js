// The Lake page: tables, each table's schema versions, dead letters and their replay (asked for,
// then confirmed). API: /api/tables, /api/schema, /api/dead-letters, /api/replay.
"use strict";
(function () {
  const { $, getJson, postJson, text, fmtNumber, fmtBytes, fmtAgo, fmtTime, fillRows, button } = EL;
  let pending = null;  // {table, code} while the question is open

  async function showSchema(table) {
    const s = await getJson("/api/schema?table=" + encodeURIComponent(table));
    text($("schema-table"), table);
    const box = $("schema-versions");
    box.replaceChildren();
    for (const h of s.histories) {
      if (s.histories.length > 1) {
        const h3 = document.createElement("h3");
        h3.textContent = h.folder;
        box.appendChild(h3);
      }
      const t = document.createElement("table");
      t.className = "plain schema";
      t.innerHTML = "<thead><tr><th>version</th><th>written</th><th>columns</th><th>what changed</th></tr></thead><tbody></tbody>";
      fillRows(t.tBodies[0], h.versions.slice().reverse().map((v) => [
        "v" + v.version, v.created.replace("T", " ").replace("Z", " UTC"),
        String(v.columns.length),
        v.changes.length ? v.changes.join("; ") : (v.version === 1 ? "first version: " + v.columns.map((c) => c.name + " " + c.type).join(", ") : "–"),
      ]));
      box.appendChild(t);
    }
    $("schema-card").hidden = false;
  }

  async function refreshTables() {
    const t = await getJson("/api/tables");
    text($("lake-problem"), t.problem || (t.tables.length ? "" : "No tables yet."));
    fillRows($("lake-tables").tBodies[0], t.tables.map((x) => [
      x.name, fmtNumber(x.rows), String(x.files), fmtBytes(x.bytes), String(x.partitions),
      fmtAgo(x.last_landed_ms),
      button("Schema", () => showSchema(x.name).catch((e) => text($("lake-problem"), e.message))),
    ]));
  }

  async function ask(source) {
    const q = await postJson("/api/replay", { table: source });
    pending = { table: source, code: q.confirm };
    const left = q.rows - q.replayed;
    text($("replay-question"), "Produce the " + left + " dead letter" + (left === 1 ? "" : "s") + " of " +
      q.dead_letter_table + " not replayed yet to their source topic again? (" + q.replayed +
      " replayed before.) The lander then lands them like new events.");
    $("replay-confirm").hidden = false;
    text($("replay-result"), "");
  }

  async function confirm() {
    if (!pending) return;
    const { table, code } = pending;
    pending = null;
    $("replay-confirm").hidden = true;
    text($("replay-result"), "replaying…");
    try {
      const r = await postJson("/api/replay", { table, confirm: code });
      text($("replay-result"), r.message);
    } catch (e) {
      text($("replay-result"), "replay failed: " + e.message);
    }
    refreshDead().catch(() => {});
  }

  async function refreshDead() {
    const d = await getJson("/api/dead-letters");
    $("dead-none").hidden = d.tables.length > 0;
    const box = $("dead-tables");
    box.replaceChildren();
    for (const t of d.tables) {
      const head = document.createElement("div");
      head.className = "toolbar";
      const title = document.createElement("strong");
      title.textContent = t.table;
      const info = document.createElement("span");
      info.className = "muted";
      info.textContent = t.rows + " rows, " + t.replayed + " replayed";
      head.append(title, info, button("Replay " + t.source + "…", () =>
        ask(t.source).catch((e) => text($("replay-result"), e.message))));
      const table = document.createElement("table");
      table.className = "plain live dead";
      table.innerHTML = "<thead><tr><th>time</th><th>partition</th><th>offset</th><th>error</th><th>raw value</th></tr></thead><tbody></tbody>";
      fillRows(table.tBodies[0], t.newest.map((r) =>
        [fmtTime(r.timestamp_ms), String(r.partition), String(r.offset), { text: r.error, cls: "bad" }, r.raw]));
      box.append(head, table);
    }
  }

  let wired = false;
  EL.pages.lake = {
    show() {
      if (!wired) {
        wired = true;
        $("replay-yes").addEventListener("click", confirm);
        $("replay-no").addEventListener("click", () => { pending = null; $("replay-confirm").hidden = true; });
      }
      refreshTables().catch((e) => text($("lake-problem"), e.message));
      refreshDead().catch((e) => text($("replay-result"), e.message));
    },
    refresh() {
      refreshTables().catch((e) => text($("lake-problem"), e.message));
      if (!pending) refreshDead().catch((e) => text($("replay-result"), e.message));
    },
  };
})();
