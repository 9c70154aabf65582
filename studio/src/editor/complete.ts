// Completion and hover docs for mapping scripts. What is offered depends on where the
// cursor is: target fields inside create/update/upsert blocks (from the connector's field
// catalogue), settings after "settings.", objects after "exact_online.", source field
// paths from the sample records, let names, builtin functions and keywords.

import type {
  Completion,
  CompletionContext,
  CompletionResult,
} from "@codemirror/autocomplete";
import type { EditorState } from "@codemirror/state";
import { hoverTooltip, type Tooltip } from "@codemirror/view";
import type { Catalogue, FieldDoc, FunctionDoc, Language, ObjectDoc } from "../api";
import { OTHER_KEYWORDS, STATEMENT_KEYWORDS } from "../lang/mapwright";

export interface Vocabulary {
  language: Language | null;
  catalogues: Record<string, Catalogue>;
  /** sample source records of the preview */
  samples: unknown[];
}

const OP_HEADER = /^\s*(?:create|update|upsert)\s+(\w+)\.(\w+)/;
const EACH_RULE = /^\s*(\w+)\s*<-\s*each\b/;
const LOOKUP_KEY = /\b(?:find_all|find|exists|require)\(\s*(\w+)\.(\w+)\s*,\s*(\w*)$/;
const OP_KEY = /^\s*(?:create|update|upsert)\s+(\w+)\.(\w+)(?:\s+as\s+\w+)?\s+(?:match|unless\s+exists)\s+(\w*)$/;

/** The lines of the block holding ``pos``, innermost first (the line with each opening '{'). */
export function enclosingBlocks(state: EditorState, pos: number): string[] {
  const text = state.sliceDoc(0, pos);
  const found: string[] = [];
  let depth = 0;
  let inString = false;
  // walk backwards; strings and comments are rare enough inside block headers to skip simply
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '"' && text[i - 1] !== "\\") inString = !inString;
    if (inString) continue;
    if (ch === "}") depth++;
    else if (ch === "{") {
      if (depth === 0) {
        const line = state.doc.lineAt(i);
        found.push(line.text.slice(0, i - line.from + 1));
      } else depth--;
    }
  }
  return found;
}

/** The object (and whether its line collection) whose fields a rule at ``pos`` writes. */
export function targetObject(
  state: EditorState,
  pos: number,
  catalogues: Record<string, Catalogue>,
): { object: ObjectDoc; fields: FieldDoc[]; where: string } | null {
  const blocks = enclosingBlocks(state, pos);
  let lines: string | null = null;
  for (const header of blocks) {
    const each = EACH_RULE.exec(header);
    if (each && lines === null) {
      lines = each[1];
      continue;
    }
    const op = OP_HEADER.exec(header);
    if (op) {
      const object = catalogues[op[1]]?.objects[op[2]];
      if (!object) return null;
      if (lines !== null) {
        if (object.lines !== lines) return null;
        return { object, fields: object.line_fields, where: `${object.where} lines` };
      }
      return { object, fields: object.fields, where: object.where };
    }
  }
  return null;
}

/** Dotted paths of the sample records: "customer", "customer.email", ... */
export function samplePaths(samples: unknown[]): Map<string, unknown> {
  const paths = new Map<string, unknown>();
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (depth > 6 || value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (!/^[A-Za-z_]\w*$/.test(key)) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      if (!paths.has(path)) paths.set(path, inner);
      walk(inner, path, depth + 1);
    }
  };
  for (const record of samples.slice(0, 50)) walk(record, "", 0);
  return paths;
}

/** Fields of the items of list ``path`` in the samples ("lines" -> sku, qty). */
function itemPaths(samples: unknown[], path: string): Map<string, unknown> {
  const items: unknown[] = [];
  for (const record of samples.slice(0, 50)) {
    let value: any = record;
    for (const part of path.split(".")) value = value?.[part];
    if (Array.isArray(value)) items.push(...value.slice(0, 20));
  }
  return samplePaths(items);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return "";
  return text.length > 40 ? text.slice(0, 39) + "…" : text;
}

function functionInfo(fn: FunctionDoc): () => Node {
  return () => {
    const box = document.createElement("div");
    box.className = "cm-doc";
    const sig = document.createElement("code");
    sig.textContent = fn.signature;
    const doc = document.createElement("p");
    doc.textContent = fn.doc || fn.summary;
    box.append(sig, doc);
    if (fn.examples.length) {
      const ex = document.createElement("code");
      ex.className = "cm-doc-example";
      ex.textContent = `${fn.examples[0].call} → ${fn.examples[0].result}`;
      box.append(ex);
    }
    return box;
  };
}

function fieldOptions(fields: FieldDoc[], where: string, required: string[]): Completion[] {
  return fields.map((f) => ({
    label: f.name,
    type: "property",
    detail: `${f.type}${required.includes(f.name) ? " · required" : ""}`,
    info: `${where}.${f.name}: ${f.type}; verbs ${f.verbs} (G read, P create, U update)`,
    boost: required.includes(f.name) ? 2 : f.verbs.includes("P") ? 1 : -1,
  }));
}

function declared(state: EditorState, pattern: RegExp): string[] {
  const names = new Set<string>();
  for (const m of state.doc.toString().matchAll(pattern)) names.add(m[1]);
  return [...names];
}

export function completeScript(vocab: () => Vocabulary) {
  return (context: CompletionContext): CompletionResult | null => {
    const v = vocab();
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    if (/#/.test(before.replace(/"(?:[^"\\]|\\.)*"/g, ""))) return null; // in a comment

    const lookup = LOOKUP_KEY.exec(before) ?? OP_KEY.exec(before);
    if (lookup) {
      const object = v.catalogues[lookup[1]]?.objects[lookup[2]];
      if (!object) return null;
      return {
        from: context.pos - lookup[3].length,
        options: fieldOptions(object.fields, object.where, object.find_keys),
        validFor: /^\w*$/,
      };
    }
    const setting = /\bsettings\.(\w*)$/.exec(before);
    if (setting) {
      const names = declared(context.state, /^\s*setting\s+(\w+)/gm);
      return {
        from: context.pos - setting[1].length,
        options: names.map((n) => ({ label: n, type: "constant", detail: "setting" })),
        validFor: /^\w*$/,
      };
    }
    const system = /\b(\w+)\.(\w*)$/.exec(before);
    if (system && v.catalogues[system[1]]) {
      const cat = v.catalogues[system[1]];
      return {
        from: context.pos - system[2].length,
        options: Object.entries(cat.objects).map(([name, o]) => ({
          label: name,
          type: "class",
          detail: o.where,
          info: o.description,
        })),
        validFor: /^\w*$/,
      };
    }
    // a rule's target field at the start of a line inside an operation block
    const ruleStart = /^\s*(\w*)$/.exec(before);
    if (ruleStart) {
      const target = targetObject(context.state, context.pos, v.catalogues);
      if (target) {
        if (!ruleStart[1] && !context.explicit) return null;
        return {
          from: context.pos - ruleStart[1].length,
          options: [
            ...fieldOptions(target.fields, target.where, target.object.required),
            ...["let", "when", "park", "where", "create", "update", "upsert"].map((k) => ({
              label: k,
              type: "keyword",
              boost: -2,
            })),
          ],
          validFor: /^\w*$/,
        };
      }
    }
    const word = context.matchBefore(/[A-Za-z_][\w.]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const typed = word.text;
    const options: Completion[] = [];
    const dot = typed.lastIndexOf(".");
    if (dot > 0) {
      // variable.field: a variable bound by 'each X as var' gives the items' fields
      const head = typed.slice(0, dot);
      const eachVars = new Map<string, string>();
      for (const m of context.state.doc.toString().matchAll(/\beach\s+([\w.]+)\s+as\s+(\w+)/g)) {
        eachVars.set(m[2], m[1]);
      }
      const root = head.split(".")[0];
      if (eachVars.has(root)) {
        const rest = head.split(".").slice(1).join(".");
        for (const [path, value] of itemPaths(v.samples, eachVars.get(root)!)) {
          const full = rest ? (path.startsWith(rest + ".") ? path.slice(rest.length + 1) : null) : path;
          if (full === null) continue;
          options.push({
            label: `${head}.${full}`,
            type: "property",
            detail: `item of ${eachVars.get(root)} · ${preview(value)}`,
          });
        }
      }
    }
    for (const [path, value] of samplePaths(v.samples)) {
      options.push({
        label: path,
        type: "property",
        detail: `source · ${preview(value)}`,
        boost: 3 - path.split(".").length,
      });
    }
    if (dot < 0) {
      for (const name of declared(context.state, /^\s*(?:let|def)\s+(\w+)/gm)) {
        options.push({ label: name, type: "variable", detail: "let", boost: 4 });
      }
      for (const fn of v.language?.functions ?? []) {
        options.push({
          label: fn.name,
          type: "function",
          detail: fn.signature.slice(fn.name.length),
          info: functionInfo(fn),
          apply: (view, _completion, from, to) => {
            // the call with its parentheses, the cursor between them
            view.dispatch({
              changes: { from, to, insert: `${fn.name}()` },
              selection: { anchor: from + fn.name.length + 1 },
            });
          },
        });
      }
      for (const k of [...STATEMENT_KEYWORDS, ...OTHER_KEYWORDS, "record", "settings", "true", "false", "null", "missing"]) {
        options.push({ label: k, type: "keyword", boost: -1 });
      }
    }
    return { from: word.from, options, validFor: /^[\w.]*$/ };
  };
}

/** Hover: a function's signature and doc, a target field's type, a setting's help. */
export function scriptHover(vocab: () => Vocabulary) {
  return hoverTooltip((view, pos): Tooltip | null => {
    const line = view.state.doc.lineAt(pos);
    const offset = pos - line.from;
    const text = line.text;
    let start = offset;
    let end = offset;
    while (start > 0 && /\w/.test(text[start - 1])) start--;
    while (end < text.length && /\w/.test(text[end])) end++;
    if (start === end) return null;
    const word = text.slice(start, end);
    const v = vocab();
    let body: Node | null = null;
    const fn = v.language?.functions.find((f) => f.name === word);
    if (fn && text.slice(end).trimStart().startsWith("(")) {
      body = functionInfo(fn)();
    } else if (/^\s*$/.test(text.slice(0, start)) && /^\s*(\.|<-)/.test(text.slice(end))) {
      const target = targetObject(view.state, line.from + start, v.catalogues);
      const field = target?.fields.find((f) => f.name === word);
      if (target) {
        const div = document.createElement("div");
        div.className = "cm-doc";
        div.textContent = field
          ? `${target.where}.${word}: ${field.type} (verbs ${field.verbs})`
          : `${target.where} has no field ${word}`;
        body = div;
      }
    }
    if (!body) return null;
    const dom = body as HTMLElement;
    return { pos: line.from + start, end: line.from + end, above: true, create: () => ({ dom }) };
  });
}
