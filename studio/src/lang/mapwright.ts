// The mapwright language mode for CodeMirror 6: a stream parser (tokens follow
// dsl/grammar.lark), folding of bracketed blocks, comment toggling with '#', indentation.

import {
  foldService,
  HighlightStyle,
  indentUnit,
  LanguageSupport,
  matchBrackets,
  StreamLanguage,
  syntaxHighlighting,
  type StreamParser,
} from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

export const STATEMENT_KEYWORDS = [
  "flow", "source", "target", "setting", "import", "def", "let", "where", "park",
  "create", "update", "upsert", "when", "test",
];
export const OTHER_KEYWORDS = [
  "with", "as", "match", "unless", "exists", "else", "on", "if", "empty", "always",
  "refers", "help", "enum", "then", "and", "or", "not", "in", "each",
];
const KEYWORDS = new Set([...STATEMENT_KEYWORDS, ...OTHER_KEYWORDS]);
const ATOMS = new Set(["true", "false", "null", "missing"]);
const SPECIAL = new Set(["record", "settings"]);
const LOOKUPS = new Set(["find", "find_all", "exists", "require"]);

interface State {
  depth: number;
  afterDot: boolean;
  lineStart: boolean;
  inJmes: boolean;
}

const parser: StreamParser<State> = {
  name: "mapwright",
  startState: () => ({ depth: 0, afterDot: false, lineStart: true, inJmes: false }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (stream.sol()) state.lineStart = true;
    if (state.inJmes) {
      // a backtick-free JMESPath text may run over several lines
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === "\\") stream.next();
        else if (ch === '"') {
          state.inJmes = false;
          break;
        }
      }
      return "string.special";
    }
    if (stream.eatSpace()) return null;
    const wasLineStart = state.lineStart;
    state.lineStart = false;
    if (stream.peek() === "#") {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match('$"')) {
      state.inJmes = true;
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === "\\") stream.next();
        else if (ch === '"') {
          state.inJmes = false;
          break;
        }
      }
      state.afterDot = false;
      return "string.special";
    }
    if (stream.peek() === '"') {
      stream.next();
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === "\\") stream.next();
        else if (ch === '"') break;
      }
      state.afterDot = false;
      return "string";
    }
    if (stream.match(/^[0-9]+(\.[0-9]+)?/)) {
      state.afterDot = false;
      return "number";
    }
    if (stream.match("<-")) return "definitionOperator";
    if (stream.match("=>") || stream.match("??")) return "operator";
    if (stream.match(/^(==|!=|<=|>=|[<>+\-*/&=|])/)) {
      state.afterDot = false;
      return "operator";
    }
    const ch = stream.peek();
    if (ch && "([{".includes(ch)) {
      stream.next();
      state.depth++;
      state.afterDot = false;
      return "bracket";
    }
    if (ch && ")]}".includes(ch)) {
      stream.next();
      state.depth = Math.max(0, state.depth - 1);
      state.afterDot = false;
      return "bracket";
    }
    if (ch === ".") {
      stream.next();
      state.afterDot = true;
      return "punctuation";
    }
    if (ch === "," || ch === ":") {
      stream.next();
      state.afterDot = false;
      return "punctuation";
    }
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const name = word[0];
      const afterDot = state.afterDot;
      state.afterDot = false;
      if (afterDot) {
        return stream.match(/^\s*\(/, false) ? "variableName.function" : "propertyName";
      }
      if (ATOMS.has(name)) return "atom";
      if (SPECIAL.has(name)) return "self";
      if (LOOKUPS.has(name) && stream.match(/^\s*\(/, false)) return "keyword";
      if (KEYWORDS.has(name)) return "keyword";
      if (stream.match(/^\s*\(/, false)) return "variableName.function";
      if (wasLineStart && stream.match(/^\s*(\.[A-Za-z_"][\w"]*)*\s*<-/, false)) {
        return "propertyName.definition";
      }
      return "variableName";
    }
    stream.next();
    return null;
  },
  indent(state, textAfter, context) {
    const closing = /^\s*[)\]}]/.test(textAfter) ? 1 : 0;
    return Math.max(0, state.depth - closing) * context.unit;
  },
  languageData: {
    commentTokens: { line: "#" },
    closeBrackets: { brackets: ["(", "[", "{", '"'] },
    indentOnInput: /^\s*[)\]}]$/,
  },
};

export const mapwrightLanguage = StreamLanguage.define(parser);

/** Fold a block from the bracket that ends a line to its matching bracket. */
const foldBrackets = foldService.of((state, lineStart, lineEnd) => {
  const text = state.sliceDoc(lineStart, lineEnd).replace(/\s*#[^"]*$/, "");
  const last = text.trimEnd();
  if (!last || !"{[(".includes(last[last.length - 1])) return null;
  const at = lineStart + last.length - 1;
  const match = matchBrackets(state, at, 1);
  if (!match || !match.matched || !match.end) return null;
  const close = match.end.from;
  if (state.doc.lineAt(close).number === state.doc.lineAt(at).number) return null;
  return { from: at + 1, to: close };
});

export const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "var(--syn-keyword)", fontWeight: "600" },
  { tag: t.comment, color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: t.string, color: "var(--syn-string)" },
  { tag: t.special(t.string), color: "var(--syn-jmes)" },
  { tag: t.number, color: "var(--syn-number)" },
  { tag: t.atom, color: "var(--syn-number)" },
  { tag: t.self, color: "var(--syn-self)", fontWeight: "600" },
  { tag: t.function(t.variableName), color: "var(--syn-function)" },
  { tag: t.definition(t.propertyName), color: "var(--syn-target)", fontWeight: "600" },
  { tag: t.propertyName, color: "var(--syn-property)" },
  { tag: t.definitionOperator, color: "var(--syn-arrow)", fontWeight: "700" },
  { tag: t.operator, color: "var(--syn-operator)" },
]);

export function mapwright(): LanguageSupport {
  return new LanguageSupport(mapwrightLanguage, [
    foldBrackets,
    indentUnit.of("  "),
    syntaxHighlighting(highlight),
  ]);
}
