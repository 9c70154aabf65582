// The CodeMirror 6 set-up of the script editor: language mode, server lint, completion,
// hover docs, folding, comment toggling, format on demand.

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput } from "@codemirror/language";
import { linter, lintGutter, lintKeymap, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { type Diagnostic, post } from "../api";
import { mapwright } from "../lang/mapwright";
import { completeScript, scriptHover, type Vocabulary } from "./complete";

export interface EditorHooks {
  name: () => string;
  vocabulary: () => Vocabulary;
  onChange: (text: string) => void;
  onDiagnostics: (found: Diagnostic[], error: string | null) => void;
  onFormat: () => void;
  onSave: () => void;
}

/** Offset of a 1-based line and column, clamped into the document. */
export function offsetOf(state: EditorState, line: number, column: number): number {
  const ln = state.doc.line(Math.min(Math.max(1, line), state.doc.lines));
  return Math.min(ln.from + Math.max(0, column - 1), ln.to);
}

const theme = EditorView.theme({
  "&": { height: "100%", backgroundColor: "var(--bg-editor)", color: "var(--fg)" },
  ".cm-scroller": { fontFamily: "var(--mono)", fontSize: "13.5px", lineHeight: "1.5" },
  ".cm-gutters": {
    backgroundColor: "var(--bg-gutter)",
    color: "var(--fg-muted)",
    borderRight: "1px solid var(--border)",
  },
  ".cm-activeLine": { backgroundColor: "var(--bg-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--bg-active-line)" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--bg-selection) !important",
  },
  ".cm-tooltip": {
    backgroundColor: "var(--bg-panel)",
    color: "var(--fg)",
    border: "1px solid var(--border)",
  },
  ".cm-tooltip-autocomplete ul li[aria-selected]": {
    backgroundColor: "var(--accent)",
    color: "var(--on-accent)",
  },
  ".cm-matchingBracket": { backgroundColor: "var(--bg-match)", outline: "1px solid var(--accent)" },
});

function serverLint(hooks: EditorHooks): Extension {
  return linter(
    async (view): Promise<CmDiagnostic[]> => {
      const text = view.state.doc.toString();
      try {
        const answer = await post<{ ok: boolean; diagnostics: Diagnostic[] }>(
          "/api/v1/scripts/lint",
          { script: text, name: hooks.name() },
        );
        if (view.state.doc.toString() !== text) return [];
        hooks.onDiagnostics(answer.diagnostics, null);
        return answer.diagnostics.map((d) => {
          const from = offsetOf(view.state, d.line, d.column);
          const to = Math.max(from, offsetOf(view.state, d.end_line, d.end_column));
          return {
            from,
            to: to === from ? Math.min(from + 1, view.state.doc.length) : to,
            severity: d.severity === "warning" ? "warning" : "error",
            message: d.message,
            source: d.severity === "warning" ? "field catalogue" : "mapwright",
          };
        });
      } catch (error) {
        hooks.onDiagnostics([], `lint did not answer: ${(error as Error).message}`);
        return [];
      }
    },
    { delay: 450 },
  );
}

export function createEditor(parent: HTMLElement, text: string, hooks: EditorHooks): EditorView {
  const state = EditorState.create({
    doc: text,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      foldGutter({ openText: "▾", closedText: "▸" }),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      autocompletion({ override: [completeScript(hooks.vocabulary)], activateOnTyping: true }),
      highlightActiveLine(),
      highlightSelectionMatches(),
      mapwright(),
      lintGutter(),
      serverLint(hooks),
      scriptHover(hooks.vocabulary),
      keymap.of([
        { key: "Mod-s", run: () => (hooks.onSave(), true), preventDefault: true },
        { key: "Shift-Alt-f", run: () => (hooks.onFormat(), true) },
        ...closeBracketsKeymap,
        ...defaultKeymap,
        ...historyKeymap,
        ...foldKeymap,
        ...completionKeymap,
        ...lintKeymap,
        ...searchKeymap,
        indentWithTab,
      ]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) hooks.onChange(update.state.doc.toString());
      }),
      EditorView.contentAttributes.of({ "aria-label": "Mapping script" }),
      theme,
    ],
  });
  return new EditorView({ state, parent });
}

/** Replace the whole text (a new flow, a formatted script, a restored version). */
export function setText(view: EditorView, text: string) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

export function jumpTo(view: EditorView, line: number, column: number) {
  const pos = offsetOf(view.state, line, column);
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}
