// The eventlake console's shared helpers (window.EL), used by the page scripts.
"use strict";
window.EL = (function () {
  const $ = (id) => document.getElementById(id);

  async function getJson(path, init) {
    const res = await fetch(path, Object.assign({ credentials: "same-origin" }, init || {}));
    const body = await res.json();
    if (!res.ok) throw new Error(body && body.error ? body.error : "HTTP " + res.status);
    return body;
  }

  function postJson(path, body) {
    return getJson(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
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
    return s < 90 ? Math.round(s) + " s ago" : s < 5400 ? Math.round(s / 60) + " min ago" : Math.round(s / 3600) + " h ago";
  }

  function fmtTime(ms) {
    return ms === null || ms === undefined || ms < 0 ? "–" : new Date(ms).toISOString().replace("T", " ").slice(0, 23);
  }

  // A cell is a string, or {text, cls} for a styled one, or a DOM node.
  function row(cells) {
    const tr = document.createElement("tr");
    for (const c of cells) {
      const td = document.createElement("td");
      if (c instanceof Node) td.appendChild(c);
      else if (typeof c === "object" && c !== null) { td.textContent = c.text; td.className = c.cls || ""; }
      else td.textContent = c;
      tr.appendChild(td);
    }
    return tr;
  }

  function fillRows(tbody, rows) { tbody.replaceChildren(...rows.map(row)); }

  function button(label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  // Pages register {show()} under their name; the router calls it when the page is opened.
  const pages = {};

  return { $, getJson, postJson, text, fmtNumber, fmtBytes, fmtAgo, fmtTime, row, fillRows, button, pages };
})();
