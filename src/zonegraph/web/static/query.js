/* The query page: canned queries with a parameter form, an editor for SPARQL,
   results as a sortable table with links to entity pages, and downloads.
   Plain JavaScript against the server's own API; nothing is loaded from elsewhere.
   The editor is CodeMirror (static/editor.js, window.ZGEditor) when it loaded, else the
   plain textarea. The page's URL always says what it runs (?name=…&param=… for a canned
   query, ?query=… for SPARQL), so that it can be shared and reloaded. */
(function () {
  "use strict";
  const BASE = "https://w3id.org/zonegraph/";
  const RESULT_FORMATS = [["JSON", "json", "srj"], ["XML", "xml", "srx"], ["CSV", "csv", "csv"], ["TSV", "tsv", "tsv"]];
  const GRAPH_FORMATS = [["Turtle", "turtle", "ttl"], ["JSON-LD", "jsonld", "jsonld"], ["N-Triples", "ntriples", "nt"], ["RDF/XML", "rdfxml", "rdf"], ["TriG", "trig", "trig"]];
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  /* Rows a page, as the server-rendered page shows them (sparql/paging.py DEFAULT_LIMIT). */
  const PAGE_SIZE = 100;
  const PAGING = ["limit", "offset", "total"];

  const $ = (id) => document.getElementById(id);
  /* offset: the first row of the page shown; total: the whole listing's rows, once counted. */
  const state = { queries: [], prefixes: {}, current: null, offset: 0, total: null };

  /* The editor: CodeMirror when static/editor.js loaded, else the textarea itself. */
  const editor = {
    cm: null,
    get() { return this.cm ? this.cm.getValue() : $("editor").value; },
    set(text) { if (this.cm) this.cm.setValue(text); else $("editor").value = text; },
    showError(line, column, message) { if (this.cm) this.cm.showError(line, column, message); },
    clearError() { if (this.cm) this.cm.clearError(); },
  };
  /* "query:1:1: SPARQL syntax error: …" -> [1, 1, "SPARQL syntax error: …"] */
  function located(message) {
    const m = /^[^:\s]+:(\d+):(\d+): ([\s\S]*)$/.exec(message || "");
    return m ? [Number(m[1]), Number(m[2]), m[3]] : null;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* The server path of a zonegraph IRI, or null: never "//…", which a browser reads as another host. */
  function localPath(iri) {
    if (!iri.startsWith(BASE)) return null;
    let rest = iri.slice(BASE.length);
    if (rest.startsWith("ontology#")) rest = "ontology/" + rest.slice("ontology#".length);
    const path = "/" + rest.split("/").map(encodeURIComponent).join("/");
    return path.startsWith("//") ? null : path;
  }

  function shorten(iri) {
    let best = null;
    for (const [prefix, ns] of Object.entries(state.prefixes)) {
      if (iri.startsWith(ns) && (best === null || ns.length > state.prefixes[best].length)) best = prefix;
    }
    if (best !== null) {
      const local = iri.slice(state.prefixes[best].length);
      if (/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/.test(local)) return best + ":" + local;
    }
    return iri;
  }

  /* -- the catalogue ---------------------------------------------------- */

  async function loadCatalogue() {
    const response = await fetch("/api/queries", { headers: { Accept: "application/json" } });
    const data = await response.json();
    state.queries = data.queries;
    state.prefixes = data.prefixes || {};
    const list = $("catalogue");
    list.replaceChildren();
    for (const q of state.queries) {
      const button = el("button", { type: "button", "data-name": q.name, title: q.summary },
        q.name, el("span", { class: "summary" }, q.summary));
      button.addEventListener("click", () => { select(q.name, {}); });
      list.append(el("li", {}, button));
    }
  }

  function select(name, values) {
    const q = state.queries.find((item) => item.name === name);
    if (!q) return null;
    state.current = q;
    for (const button of $("catalogue").querySelectorAll("button")) {
      button.setAttribute("aria-current", String(button.dataset.name === name));
    }
    $("query-title").textContent = q.name;
    $("query-summary").textContent = q.summary;
    $("query-returns").replaceChildren(...(q.returns ? withVariables("Returns " + q.returns) : []));
    $("query-returns").hidden = !q.returns;
    editor.set(q.text);
    editor.clearError();
    state.offset = 0;
    buildParams(q, values || {});
    markEdited();
    updateUrl();
    return q;
  }

  /* Text with its ?variables set as code, so that a line never breaks inside one. */
  function withVariables(text) {
    return text.split(/(\?[A-Za-z_][A-Za-z0-9_]*)/).filter((part) => part !== "")
      .map((part) => (part.startsWith("?") && part.length > 1 ? el("code", {}, part) : part));
  }

  function buildParams(q, values) {
    const box = $("param-fields");
    box.replaceChildren();
    $("params").hidden = q.parameters.length === 0;
    for (const p of q.parameters) {
      const id = "param-" + p.name;
      const listId = p.choices && p.choices.length ? id + "-choices" : null;
      const placeholder = p.default ? "default: " + p.default : (p.required ? "required" : "optional");
      const input = el("input", {
        id, name: p.name, type: "text", placeholder, list: listId, required: p.required,
        value: values[p.name] !== undefined ? values[p.name] : "",
        "aria-describedby": id + "-help",
      });
      input.addEventListener("input", () => { state.offset = 0; updateUrl(); });
      const typeText = p.type + (p.class ? " (" + p.class + ")" : "");
      const help = el("div", { class: "help", id: id + "-help" },
        (p.description ? p.description + " " : "") + "[" + typeText + (p.required ? ", required" : "") + "]");
      const row = el("div", { class: "param" }, el("label", { for: id }, "?" + p.name), input, help);
      if (listId) {
        row.append(el("datalist", { id: listId },
          p.choices.map((c) => el("option", { value: c.value }, c.label))));
      }
      box.append(row);
    }
  }

  function paramValues() {
    const values = {};
    for (const input of $("param-fields").querySelectorAll("input")) {
      if (input.value.trim() !== "") values[input.name] = input.value.trim();
    }
    return values;
  }

  function isEdited() {
    return state.current !== null && editor.get() !== state.current.text;
  }

  function markEdited() {
    const edited = isEdited();
    $("edited").hidden = !edited;
    $("reset").hidden = !edited;
    $("params").disabled = edited;
  }

  function updateUrl() {
    const url = new URL(window.location.href);
    url.search = "";
    if (state.current && !isEdited()) {
      url.searchParams.set("name", state.current.name);
      for (const [key, value] of Object.entries(paramValues())) url.searchParams.set(key, value);
    } else {
      url.searchParams.set("query", editor.get());
    }
    if (state.offset > 0) url.searchParams.set("offset", String(state.offset));
    window.history.replaceState(null, "", url);
    $("share").href = url.pathname + url.search;
    $("share").hidden = false;
  }

  /* -- running ---------------------------------------------------------- */

  /* The request for the results: a download (format given) is the whole listing; a run
     asks for the page at state.offset, and counts the total on the first page only. */
  function requestFor(format) {
    const page = format ? {} : {
      limit: String(PAGE_SIZE), offset: String(state.offset), total: state.offset === 0 ? "true" : "false",
    };
    if (state.current && !isEdited()) {
      const params = new URLSearchParams(paramValues());
      for (const [key, value] of Object.entries(page)) params.set(key, value);
      if (format) params.set("format", format);
      const query = params.toString();
      return { url: "/api/queries/" + encodeURIComponent(state.current.name) + (query ? "?" + query : ""), method: "GET" };
    }
    const params = new URLSearchParams({ query: editor.get(), ...page });
    if (format) {
      params.set("format", format);
      return { url: "/sparql?" + params.toString(), method: "GET" };
    }
    return { url: "/sparql", method: "POST", body: params };
  }

  /* Run the query from its first row (the Run button, Ctrl+Enter), or from *offset*
     (the pager's links). */
  async function run(event, offset) {
    if (event) event.preventDefault();
    if (offset === undefined) { state.offset = 0; state.total = null; } else state.offset = offset;
    const button = $("run");
    const status = $("status");
    button.disabled = true;
    status.className = "status";
    status.textContent = "Running…";
    $("results").replaceChildren();
    $("downloads").hidden = true;
    editor.clearError();
    updateUrl();
    const started = performance.now();
    try {
      const request = requestFor(null);
      const init = { method: request.method, headers: { Accept: ACCEPT } };
      if (request.body) {
        init.body = request.body;
        init.headers["Content-Type"] = "application/x-www-form-urlencoded";
      }
      const response = await fetch(request.url, init);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        status.className = "status error";
        status.textContent = "Error " + response.status;
        const text = await errorText(response, type);
        const place = located(text);
        const box = el("div", { class: "error-box", id: "query-error" });
        if (place && !(state.current && !isEdited())) {
          box.append(el("strong", { class: "place" }, "Line " + place[0] + ", column " + place[1] + ":"), " ", place[2]);
          editor.showError(place[0], place[1], place[2].split("\nhint:")[0]);
        } else {
          box.append(text);
        }
        $("results").append(box);
        return;
      }
      if (type.includes("json")) {
        const data = await response.json();
        if (typeof data.boolean === "boolean") {
          status.textContent = "ASK answered in " + seconds + " s";
          $("results").append(el("p", { class: "boolean" }, data.boolean ? "yes" : "no"));
          showDownloads(RESULT_FORMATS);
        } else {
          const n = data.results.bindings.length;
          const counted = response.headers.get("X-Total-Count");
          if (counted !== null) state.total = Number(counted);
          const more = /rel="next"/.test(response.headers.get("Link") || "");
          if (state.offset === 0 && !more) {
            status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + seconds + " s";
          } else {
            const last = state.offset + n;
            status.textContent = (n ? "rows " + (state.offset + 1) + "–" + last : "no rows after row " + state.offset)
              + (state.total !== null ? " of " + state.total : "") + " in " + seconds + " s";
          }
          $("results").append(resultTable(data));
          if (state.offset > 0 || more) $("results").append(pager(more));
          showDownloads(RESULT_FORMATS);
        }
      } else {
        const text = await response.text();
        status.textContent = "Graph answered in " + seconds + " s";
        $("results").append(el("pre", { class: "graph" }, text));
        showDownloads(GRAPH_FORMATS);
      }
    } catch (error) {
      status.className = "status error";
      status.textContent = "The request failed: " + error;
    } finally {
      button.disabled = false;
    }
  }

  async function errorText(response, type) {
    if (type.includes("json")) {
      const data = await response.json();
      return data.error + (data.hint ? "\nhint: " + data.hint : "");
    }
    return response.text();
  }

  function termCell(term) {
    if (!term) return el("td", { dataset: { sort: "" } });
    if (term.type === "uri") {
      const local = localPath(term.value);
      const text = shorten(term.value);
      if (!local && !/^https?:\/\//.test(term.value)) {  /* only web IRIs become links */
        return el("td", { dataset: { sort: text } }, el("span", { class: "iri", title: term.value }, text));
      }
      const link = el("a", { href: local || term.value, title: term.value, class: local ? null : "external", rel: local ? null : "noopener" }, text);
      return el("td", { dataset: { sort: text } }, link);
    }
    if (term.type === "bnode") return el("td", { dataset: { sort: "_:" + term.value } }, el("span", { class: "bnode" }, "_:" + term.value));
    const note = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype ? shorten(term.datatype) : null);
    const noted = note ? [" ", el("span", { class: "note" }, note)] : [];
    if (term.value.length <= 48) {  /* a short value stays on one line, with its note */
      return el("td", { dataset: { sort: term.value } },
        el("span", { class: "short" }, el("span", { class: "literal" }, term.value), noted));
    }
    return el("td", { dataset: { sort: term.value } }, el("span", { class: "literal" }, term.value), noted);
  }

  function resultTable(data) {
    const vars = data.head.vars;
    const table = el("table", { class: "sortable results-table", id: "results-table" },
      el("thead", {}, el("tr", {}, vars.map((v) => el("th", { scope: "col" }, v)))),
      el("tbody", {}, data.results.bindings.map((row) => el("tr", {}, vars.map((v) => termCell(row[v]))))));
    window.ZG.makeSortable(table);
    return table;
  }

  /* Links to the pages before and after this one: real links (the server renders the
     same page at their URL), run here without reloading the page. */
  function pager(more) {
    const nav = el("nav", { class: "pager", "aria-label": "Pages of the results" });
    const link = (rel, offset, text) => {
      const url = new URL(window.location.href);
      if (offset > 0) url.searchParams.set("offset", String(offset)); else url.searchParams.delete("offset");
      const a = el("a", { rel, href: url.pathname + url.search }, text);
      a.addEventListener("click", (event) => { event.preventDefault(); run(null, offset); });
      return a;
    };
    if (state.offset > 0) nav.append(link("prev", Math.max(state.offset - PAGE_SIZE, 0), "← Previous page"));
    if (more) nav.append(" ", link("next", state.offset + PAGE_SIZE, "Next page →"));
    return nav;
  }

  function showDownloads(formats) {
    const box = $("downloads");
    const base = state.current && !isEdited() ? state.current.name : "results";
    box.replaceChildren("Download: ");
    formats.forEach(([label, format, extension], index) => {
      const request = requestFor(format);
      box.append(el("a", { href: request.url, download: base + "." + extension, class: "download", "data-format": format }, label));
      if (index < formats.length - 1) box.append(" · ");
    });
    box.hidden = false;
  }

  /* -- wiring ----------------------------------------------------------- */

  function setUpEditor() {
    const textarea = $("editor");
    const changed = () => { state.offset = 0; markEdited(); updateUrl(); };
    if (window.ZGEditor) {
      let data = {};
      try { data = JSON.parse($("editor-data").textContent); } catch (error) { data = {}; }
      editor.cm = window.ZGEditor.create(textarea, {
        prefixes: data.prefixes || {}, terms: data.terms || [], onRun: () => run(null),
      });
      editor.cm.onChange(changed);
    } else {
      textarea.addEventListener("input", changed);
      textarea.addEventListener("keydown", (event) => {
        if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey) {
          event.preventDefault();
          textarea.setRangeText("  ", textarea.selectionStart, textarea.selectionEnd, "end");
          markEdited();
        }
      });
    }
    document.addEventListener("keydown", (event) => {
      if (event.defaultPrevented) return;  /* the editor ran it already */
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
    });
    $("query-form").addEventListener("submit", run);
    $("reset").addEventListener("click", () => {
      if (state.current) { editor.set(state.current.text); markEdited(); updateUrl(); }
    });
  }

  /* Results the server rendered (the URL named a query): kept, made sortable, with
     their downloads, and a syntax error marked in the editor. */
  function adoptServerResults() {
    const box = $("results");
    if (box.dataset.server !== "true") return false;
    const table = $("results-table");
    if (table) { window.ZG.makeSortable(table); showDownloads(RESULT_FORMATS); }
    else if (box.querySelector(".boolean")) showDownloads(RESULT_FORMATS);
    else if (box.querySelector("pre.graph")) showDownloads(GRAPH_FORMATS);
    const error = $("query-error");
    if (error && error.dataset.line) {
      const message = error.textContent.replace(/^Line \d+, column \d+: /, "").split("\nhint:")[0];
      editor.showError(Number(error.dataset.line), Number(error.dataset.column), message);
    }
    return true;
  }

  async function start() {
    setUpEditor();
    try {
      await loadCatalogue();
    } catch (error) {
      $("catalogue").replaceChildren(el("li", { class: "status error" }, "Could not load the canned queries: " + error));
      return;
    }
    const params = new URLSearchParams(window.location.search);
    const name = params.get("name");
    const text = params.get("query");
    if (name) {
      const values = {};
      for (const [key, value] of params) {
        if (key !== "name" && key !== "query" && !PAGING.includes(key)) values[key] = value;
      }
      select(name, values);
    }
    const offset = Number(params.get("offset"));
    if (Number.isInteger(offset) && offset > 0) state.offset = offset;
    if (text !== null && (!state.current || text.replace(/\r\n/g, "\n") !== state.current.text)) {
      editor.set(text.replace(/\r\n/g, "\n"));
      markEdited();
    }
    if (!adoptServerResults() && (name || text)) run(null, state.offset);
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
