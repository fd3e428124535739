/* Sortable tables: click a column header to sort by it, click again to reverse.
   Plain JavaScript, no dependencies. Cells may carry data-sort="…" to sort by
   a value other than their text. */
(function () {
  "use strict";
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellValue(row, index) {
    const cell = row.cells[index];
    if (!cell) return "";
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  function compare(a, b) {
    const na = Number(a), nb = Number(b);
    if (a !== "" && b !== "" && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    if (a === "" && b !== "") return 1;
    if (b === "" && a !== "") return -1;
    return collator.compare(a, b);
  }

  function sortBy(table, index, header) {
    const body = table.tBodies[0];
    if (!body) return;
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    for (const th of table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const rows = Array.from(body.rows);
    rows.sort((r1, r2) => {
      const c = compare(cellValue(r1, index), cellValue(r2, index));
      return ascending ? c : -c;
    });
    for (const row of rows) body.appendChild(row);
  }

  function makeSortable(table) {
    if (!table.tHead || table.dataset.sortable === "ready") return;
    table.dataset.sortable = "ready";
    table.classList.add("sortable");
    Array.from(table.tHead.rows[0].cells).forEach((th, index) => {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.addEventListener("click", () => sortBy(table, index, th));
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, index, th); }
      });
    });
  }

  window.ZG = window.ZG || {};
  window.ZG.makeSortable = makeSortable;
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
  });
})();
