/* The query page's SPARQL editor: CodeMirror 6 with the SPARQL mode of
   @codemirror/legacy-modes, completion of prefixes (the catalogue's) and of terms (the
   ontology's), and a marker at the line and column of a syntax error. Bundled by
   build.mjs into src/zonegraph/web/static/editor.js; query.js uses it through
   window.ZGEditor and keeps the plain textarea when this file is not loaded. */
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
} from "@codemirror/autocomplete";
import { linter, setDiagnostics, lintGutter } from "@codemirror/lint";

const KEYWORDS = [
  "SELECT", "DISTINCT", "REDUCED", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH",
  "BIND", "VALUES", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "ASK", "CONSTRUCT",
  "DESCRIBE", "PREFIX", "BASE", "FROM", "FROM NAMED", "NOT EXISTS", "EXISTS", "AS", "COUNT",
  "SAMPLE", "GROUP_CONCAT", "STR", "LANG", "LANGMATCHES", "CONTAINS", "STRSTARTS", "REGEX",
  "LCASE", "UCASE", "COALESCE", "IF", "BOUND", "isIRI", "isLiteral", "DESC", "ASC",
];

/* Completions at the cursor: a prefixed name's local part (after "zg:"), a prefix, a
   keyword; after "PREFIX " the whole declaration of a known prefix. */
function completer(prefixes, terms) {
  const byPrefix = {};
  for (const t of terms) {
    const colon = t.curie.indexOf(":");
    (byPrefix[t.curie.slice(0, colon)] ||= []).push(t);
  }
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const declaring = /PREFIX\s+([A-Za-z][\w.-]*)?:?$/i.exec(before);
    if (declaring) {
      const from = context.pos - (declaring[1] || "").length - (before.endsWith(":") ? 1 : 0);
      return {
        from,
        options: Object.entries(prefixes).map(([p, ns]) => ({
          label: p + ":", apply: p + ": <" + ns + ">", detail: ns, type: "namespace",
        })),
      };
    }
    const prefixed = context.matchBefore(/[A-Za-z][\w.-]*:[\w.-]*$/);
    if (prefixed) {
      const colon = prefixed.text.indexOf(":");
      const prefix = prefixed.text.slice(0, colon);
      const options = (byPrefix[prefix] || []).map((t) => ({
        label: t.curie, detail: t.label, info: t.definition || undefined, type: t.kind,
      }));
      if (options.length) return { from: prefixed.from, options, validFor: /^[A-Za-z][\w.-]*:[\w.-]*$/ };
    }
    const word = context.matchBefore(/[A-Za-z_]\w*$/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    const options = [
      ...Object.entries(prefixes).map(([p, ns]) => ({ label: p + ":", detail: ns, type: "namespace", boost: 1 })),
      ...KEYWORDS.map((k) => ({ label: k, type: "keyword" })),
    ];
    return { from, options, validFor: /^\w*$/ };
  };
}

/* The editor's look (it lives in a shadow root: the page's style.css does not reach it). */
const theme = EditorView.theme({
  "&": {
    border: "1px solid #b9c5d1", borderRadius: "6px", background: "#fbfcfe", fontSize: "0.92rem",
  },
  "&.cm-focused": { outline: "2px solid #2f6fa7" },
  ".cm-scroller": {
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace',
    lineHeight: "1.45", minHeight: "16rem",
  },
  ".cm-content": { minHeight: "16rem" },
  ".cm-gutters": { background: "#eef2f7", borderRight: "1px solid #d9e0e7", color: "#5d6b7a" },
});

/* Replaces *textarea* by an editor; the textarea stays in the form, kept in step, so
   that the form still submits the query.

   The editor is mounted in a shadow root: CodeMirror adds its styles as a <style>
   element to a document, which the server's Content-Security-Policy (style-src 'self')
   refuses, and as a constructed style sheet to a shadow root, which it allows. */
function create(textarea, options) {
  const opts = options || {};
  const listeners = [];
  const sync = EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    textarea.value = update.state.doc.toString();
    for (const listener of listeners) listener();
  });
  const run = () => { if (opts.onRun) opts.onRun(); return true; };
  const host = document.createElement("div");
  host.className = "zg-editor";
  host.id = textarea.id + "-cm";
  textarea.after(host);
  const root = host.attachShadow({ mode: "open" });
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(),
        drawSelection(), indentOnInput(), bracketMatching(), closeBrackets(),
        highlightActiveLine(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: [completer(opts.prefixes || {}, opts.terms || [])] }),
        linter(null), lintGutter(),
        keymap.of([
          { key: "Mod-Enter", run },
          ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap,
          ...completionKeymap, indentWithTab,
        ]),
        theme,
        EditorView.contentAttributes.of({ "aria-label": "SPARQL query" }),
        sync,
      ],
    }),
  });
  textarea.hidden = true;

  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    onChange: (listener) => listeners.push(listener),
    /* Marks the place of an error: *line* and *column* count from 1, in the editor's text. */
    showError: (line, column, message) => {
      const doc = view.state.doc;
      const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
      const from = Math.min(l.from + Math.max(column, 1) - 1, l.to);
      const word = /^[^\s{}()]*/.exec(doc.sliceString(from, l.to))[0].length;
      view.dispatch(setDiagnostics(view.state, [
        { from, to: from + Math.max(word, from < l.to ? 1 : 0), severity: "error", message },
      ]));
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    },
    clearError: () => view.dispatch(setDiagnostics(view.state, [])),
  };
}

window.ZGEditor = { create };
