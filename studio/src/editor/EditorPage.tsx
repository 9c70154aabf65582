// The editor page: the script in the middle, preview / problems / tests / versions on the
// right, the flow's recent runs below.

import type { EditorView } from "@codemirror/view";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  type Catalogue,
  type Diagnostic,
  describe,
  type Flow,
  get,
  type Language,
  patch,
  post,
  type RecordLog,
  type Run,
} from "../api";
import { Badge, countsText, Empty, ErrorBox, Json, when } from "../ui";
import { createEditor, jumpTo, setText } from "./codemirror";
import type { Vocabulary } from "./complete";
import { FlowSettings } from "./FlowSettings";

const SCRATCH = `# A scratch script: map the sample records on the right.
Name <- trim(customer.name)
Email <- lower(customer.email)
City <- city
`;
const SCRATCH_SAMPLES = `[
  {"customer": {"name": " Jana Novak ", "email": "Jana@Example.COM"}, "city": "Brno"}
]`;

interface TraceRule {
  line: number;
  column: number;
  text: string;
  policy: string;
}
interface TraceEntry {
  target: string;
  operation: number | null;
  field: string;
  rules: TraceRule[];
}
interface PreviewResult {
  index: number;
  status: string;
  result?: any;
  reason?: string;
  error?: { message: string; line?: number; column?: number; rule?: string; path?: string; value?: unknown };
  trace?: TraceEntry[];
}
interface TestResult {
  name: string;
  line: number;
  passed: boolean;
  diff: string;
  error: string;
}

function valueAt(root: any, path: string): unknown {
  let value = root;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
    if (value === null || typeof value !== "object") return undefined;
    value = value[part];
  }
  return value;
}

export function parseRecords(text: string): unknown[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (trimmed.startsWith("[")) {
    const value = JSON.parse(trimmed);
    if (!Array.isArray(value)) throw new Error("expected a JSON list of records");
    return value;
  }
  return trimmed
    .split("\n")
    .filter((l) => l.trim())
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`line ${i + 1} is not a JSON record`);
      }
    });
}

type Tab = "preview" | "problems" | "tests" | "versions" | "settings";

export function EditorPage({
  flow,
  language,
  catalogues,
  onSaved,
}: {
  flow: Flow | null;
  language: Language | null;
  catalogues: Record<string, Catalogue>;
  onSaved: (flow: Flow) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [text, setTextState] = useState(flow?.script ?? SCRATCH);
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [lintError, setLintError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("preview");
  const [samplesText, setSamplesText] = useState(flow ? "" : SCRATCH_SAMPLES);
  const [lookupsText, setLookupsText] = useState("");
  const [preview, setPreview] = useState<{ counts: Record<string, number>; results: PreviewResult[] } | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [tests, setTests] = useState<{ passed: number; failed: number; tests: TestResult[] } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [runs, setRuns] = useState<Run[]>([]);

  const samples = useMemo(() => {
    try {
      return parseRecords(samplesText);
    } catch {
      return [];
    }
  }, [samplesText]);
  const samplesProblem = useMemo(() => {
    try {
      parseRecords(samplesText);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }, [samplesText]);

  // the editor reads the latest values through this ref (its extensions are created once)
  const live = useRef({ samples, language, catalogues, flow, text, save: () => {}, format: () => {} });
  live.current.samples = samples;
  live.current.language = language;
  live.current.catalogues = catalogues;
  live.current.flow = flow;
  live.current.text = text;

  useEffect(() => {
    if (!host.current) return;
    view.current = createEditor(host.current, text, {
      name: () => `${live.current.flow?.name ?? "scratch"}.map`,
      vocabulary: (): Vocabulary => ({
        language: live.current.language,
        catalogues: live.current.catalogues,
        samples: live.current.samples,
      }),
      onChange: (t) => setTextState(t),
      onDiagnostics: (found, problem) => {
        setDiagnostics(found);
        setLintError(problem);
      },
      onFormat: () => live.current.format(),
      onSave: () => live.current.save(),
    });
    return () => view.current?.destroy();
  }, []);

  // a saved or restored version: show its script (unchanged after a save)
  useEffect(() => {
    const script = flow?.script ?? SCRATCH;
    if (view.current && view.current.state.doc.toString() !== script) setText(view.current, script);
    setTextState(script);
  }, [flow?.name, flow?.version]);

  // another flow: start its panels afresh
  useEffect(() => {
    setPreview(null);
    setTests(null);
    setMessage(null);
    setError(null);
    setSamplesText(flow ? "" : SCRATCH_SAMPLES);
    if (flow) {
      get<Run[]>(`/api/v1/runs?flow=${encodeURIComponent(flow.name)}&limit=10`)
        .then(setRuns)
        .catch(() => setRuns([]));
    } else setRuns([]);
  }, [flow?.name]);

  // live preview: map the samples again shortly after the script or the samples change
  useEffect(() => {
    if (!samples.length || samplesProblem) return;
    const timer = setTimeout(() => runPreview(), 700);
    return () => clearTimeout(timer);
  }, [text, samplesText, lookupsText]);

  async function runPreview() {
    let lookups: Record<string, unknown[]> = {};
    try {
      lookups = lookupsText.trim() ? JSON.parse(lookupsText) : {};
    } catch {
      setPreviewError("the lookups are not JSON: {\"exact_online.items\": [records…]}");
      return;
    }
    try {
      const answer = await post("/api/v1/scripts/preview", {
        script: live.current.text,
        name: `${flow?.name ?? "scratch"}.map`,
        records: samples,
        settings: flow?.settings ?? {},
        lookups,
      });
      setPreview(answer);
      setPreviewError(null);
    } catch (e) {
      setPreviewError(describe(e));
    }
  }

  async function format() {
    if (!view.current) return;
    try {
      const answer = await post<{ script: string; changed: boolean }>("/api/v1/scripts/format", {
        script: view.current.state.doc.toString(),
        name: `${flow?.name ?? "scratch"}.map`,
      });
      if (answer.changed) setText(view.current, answer.script);
      setMessage(answer.changed ? "Formatted." : "Already in the canonical layout.");
      setError(null);
    } catch (e) {
      setError(`Cannot format: ${describe(e)}`);
    }
  }

  async function save() {
    if (!flow) {
      setError("A scratch script is not saved; open a flow on the left to edit it.");
      return;
    }
    try {
      const saved = await patch<Flow>(`/api/v1/flows/${flow.name}`, {
        script: live.current.text,
        note: note || undefined,
      });
      setMessage(`Saved as version ${saved.version}.`);
      setError(null);
      setNote("");
      onSaved(saved);
    } catch (e) {
      setError(`Not saved: ${describe(e)}`);
    }
  }
  live.current.save = save;
  live.current.format = format;

  async function runTests() {
    setTab("tests");
    try {
      setTests(await post("/api/v1/scripts/test", { script: text, name: `${flow?.name ?? "scratch"}.map` }));
      setError(null);
    } catch (e) {
      setTests(null);
      setError(`Tests did not run: ${describe(e)}`);
    }
  }

  async function samplesFromLastRun() {
    if (!flow) return;
    try {
      const recent = await get<Run[]>(`/api/v1/runs?flow=${encodeURIComponent(flow.name)}&limit=5`);
      for (const run of recent) {
        const log = await get<{ records: RecordLog[] }>(`/api/v1/runs/${run.id}/records`);
        const sources = log.records.filter((r) => r.source).slice(0, 10).map((r) => r.source);
        if (sources.length) {
          setSamplesText(JSON.stringify(sources, null, 2));
          setMessage(`Loaded ${sources.length} sample records from the run of ${when(run.created_at)}.`);
          return;
        }
      }
      setError("No stored records yet: run the flow (a dry run is enough) or paste records.");
    } catch (e) {
      setError(describe(e));
    }
  }

  async function samplesFromSource() {
    if (!flow) return;
    try {
      const answer = await get<{ source: string; records: unknown[] }>(
        `/api/v1/studio/flows/${encodeURIComponent(flow.name)}/samples?limit=5`,
      );
      setSamplesText(JSON.stringify(answer.records, null, 2));
      setMessage(`Fetched ${answer.records.length} records from ${answer.source} (nothing was written).`);
      setError(null);
    } catch (e) {
      setError(`No samples from the source: ${describe(e)}`);
    }
  }

  const jump = (line: number, column = 1) => view.current && jumpTo(view.current, line, column);
  const dirty = flow !== null && text !== flow.script;
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;

  return (
    <div class="editor-layout">
      <section class="editor-main" aria-label="Script editor">
        <div class="toolbar" role="toolbar" aria-label="Script actions">
          <strong class="flow-title">{flow ? flow.name : "Scratch script"}</strong>
          {flow && <span class="muted">version {flow.version}{dirty ? " · unsaved changes" : ""}</span>}
          <span class="spacer" />
          <button type="button" onClick={format} title="Format (Shift+Alt+F)">
            Format
          </button>
          <button type="button" onClick={runTests}>
            Run tests
          </button>
          {flow && (
            <>
              <label class="inline">
                <span class="sr-only">Version note</span>
                <input
                  value={note}
                  placeholder="note for this version"
                  onInput={(e) => setNote((e.target as HTMLInputElement).value)}
                />
              </label>
              <button type="button" class="primary" onClick={save} disabled={!dirty} title="Save (Ctrl+S)">
                Save version
              </button>
            </>
          )}
        </div>
        <ErrorBox error={error} />
        {message && (
          <div class="note" role="status">
            {message}
          </div>
        )}
        <div class="editor-host" ref={host} />
        <div class="statusbar" aria-live="polite">
          <button type="button" class="link" onClick={() => setTab("problems")} data-testid="problem-count">
            {errors} errors, {warnings} warnings
          </button>
          {lintError && <span class="bad">{lintError}</span>}
          <span class="muted">Ctrl+Space completes · Ctrl+/ comments · Esc then Tab leaves the editor</span>
        </div>
      </section>
      <aside class="side-panel" aria-label="Preview, problems, tests and versions">
        <div class="tabs" role="tablist">
          {((flow ? ["preview", "problems", "tests", "versions", "settings"] : ["preview", "problems", "tests"]) as Tab[]).map((t) => (
            <button
              type="button"
              role="tab"
              aria-selected={tab === t}
              class={tab === t ? "active" : ""}
              onClick={() => setTab(t)}
              key={t}
            >
              {t === "problems" ? `problems (${diagnostics.length})` : t}
            </button>
          ))}
        </div>
        {tab === "preview" && (
          <PreviewPanel
            flow={flow}
            samplesText={samplesText}
            setSamplesText={setSamplesText}
            samplesProblem={samplesProblem}
            lookupsText={lookupsText}
            setLookupsText={setLookupsText}
            preview={preview}
            previewError={previewError}
            onRun={runPreview}
            onLoad={samplesFromLastRun}
            onFetch={samplesFromSource}
            onJump={jump}
          />
        )}
        {tab === "problems" && (
          <div class="panel-body">
            {diagnostics.length === 0 ? (
              <Empty title="No problems">The server's lint found nothing to fix.</Empty>
            ) : (
              <ul class="problems" aria-label="Problems">
                {diagnostics.map((d, i) => (
                  <li key={i}>
                    <button type="button" class={`problem problem-${d.severity}`} onClick={() => jump(d.line, d.column)}>
                      <span class="where">
                        {d.line}:{d.column}
                      </span>{" "}
                      <span class="sev">{d.severity}</span> {d.message}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {tab === "tests" && <TestsPanel tests={tests} onRun={runTests} onJump={jump} />}
        {tab === "versions" && flow && (
          <VersionsPanel flow={flow} onRestored={onSaved} />
        )}
        {tab === "settings" && flow && <FlowSettings flow={flow} onSaved={onSaved} />}
      </aside>
      <section class="bottom-panel" aria-label="Recent runs of this flow">
        <h2>Recent runs</h2>
        {!flow ? (
          <span class="muted">Open a flow to see its runs.</span>
        ) : runs.length === 0 ? (
          <span class="muted">No runs yet.</span>
        ) : (
          <table class="compact">
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`#/runs/${r.id}`}>{when(r.created_at)}</a>
                  </td>
                  <td>
                    <Badge status={r.status} /> {r.dry_run ? "dry run" : ""}
                  </td>
                  <td>{countsText(r.counts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function PreviewPanel(props: {
  flow: Flow | null;
  samplesText: string;
  setSamplesText: (t: string) => void;
  samplesProblem: string | null;
  lookupsText: string;
  setLookupsText: (t: string) => void;
  preview: { counts: Record<string, number>; results: PreviewResult[] } | null;
  previewError: string | null;
  onRun: () => void;
  onLoad: () => void;
  onFetch: () => void;
  onJump: (line: number, column?: number) => void;
}) {
  const { preview } = props;
  return (
    <div class="panel-body">
      <label class="field">
        <span class="field-label">Sample records (a JSON list or one JSON record per line)</span>
        <textarea
          class="code"
          rows={6}
          value={props.samplesText}
          spellcheck={false}
          onInput={(e) => props.setSamplesText((e.target as HTMLTextAreaElement).value)}
          aria-invalid={props.samplesProblem ? "true" : "false"}
        />
        {props.samplesProblem && <span class="field-error">{props.samplesProblem}</span>}
      </label>
      <details>
        <summary>Lookups (records of the target system for find / require)</summary>
        <textarea
          class="code"
          rows={4}
          aria-label="Lookups"
          placeholder='{"exact_online.items": [{"Code": "A-1", "ID": "guid-a"}]}'
          value={props.lookupsText}
          spellcheck={false}
          onInput={(e) => props.setLookupsText((e.target as HTMLTextAreaElement).value)}
        />
      </details>
      <div class="row">
        <button type="button" class="primary" onClick={props.onRun}>
          Preview
        </button>
        {props.flow && (
          <>
            <button type="button" onClick={props.onFetch}>
              Fetch from the source
            </button>
            <button type="button" onClick={props.onLoad}>
              Samples from the last run
            </button>
          </>
        )}
      </div>
      <ErrorBox error={props.previewError} />
      {!preview ? (
        <Empty title="No preview yet">Paste sample records; the output appears here as you type.</Empty>
      ) : (
        <div class="preview" aria-label="Preview results">
          <p class="muted">
            {Object.entries(preview.counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(" · ")}
          </p>
          {preview.results.map((r) => (
            <RecordPreview key={r.index} result={r} onJump={props.onJump} />
          ))}
        </div>
      )}
    </div>
  );
}

function RecordPreview({ result, onJump }: { result: PreviewResult; onJump: (l: number, c?: number) => void }) {
  const rows = (result.trace ?? []).map((t) => {
    const base =
      t.operation === null ? result.result : result.result?.operations?.[t.operation]?.fields;
    return { ...t, value: valueAt(base, t.field) };
  });
  const ops: any[] = result.result?.operations ?? [];
  return (
    <article class={`record record-${result.status}`} data-testid="preview-record">
      <header>
        record {result.index + 1} <Badge status={result.status} />
        {result.reason && <span> {result.reason}</span>}
      </header>
      {result.error && (
        <div class="error-box" role="alert">
          {result.error.message}
          {result.error.line && (
            <button type="button" class="link" onClick={() => onJump(result.error!.line!, result.error!.column)}>
              {" "}
              line {result.error.line}
            </button>
          )}
          {result.error.path && <div class="muted">at {result.error.path}: {JSON.stringify(result.error.value)}</div>}
        </div>
      )}
      {ops.length > 0 && (
        <ul class="ops">
          {ops.map((op, i) => (
            <li key={i}>
              <code>
                {op.kind} {op.target}
                {op.as ? ` as ${op.as}` : ""}
                {op.match ? ` match ${JSON.stringify(op.match)}` : ""}
                {op.unless_exists ? ` unless exists ${JSON.stringify(op.unless_exists)}` : ""}
              </code>
            </li>
          ))}
        </ul>
      )}
      {rows.length > 0 && (
        <table class="trace">
          <thead>
            <tr>
              <th scope="col">field</th>
              <th scope="col">value</th>
              <th scope="col">rule</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <td>
                  {row.operation !== null && <span class="muted">{row.operation + 1}·</span>}
                  <button type="button" class="link" onClick={() => row.rules[0] && onJump(row.rules[0].line, row.rules[0].column)}>
                    {row.field}
                  </button>
                </td>
                <td>
                  <code data-testid="preview-value">{JSON.stringify(row.value)}</code>
                </td>
                <td>
                  {row.rules.map((rule, j) => (
                    <button type="button" class="link rule" key={j} title={rule.text} onClick={() => onJump(rule.line, rule.column)}>
                      line {rule.line}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.result !== undefined && (
        <details>
          <summary>JSON</summary>
          <Json value={result.result} />
        </details>
      )}
    </article>
  );
}

function TestsPanel({
  tests,
  onRun,
  onJump,
}: {
  tests: { passed: number; failed: number; tests: TestResult[] } | null;
  onRun: () => void;
  onJump: (line: number) => void;
}) {
  if (!tests)
    return (
      <div class="panel-body">
        <Empty title="Tests not run">
          <button type="button" onClick={onRun}>
            Run the script's tests
          </button>
        </Empty>
      </div>
    );
  return (
    <div class="panel-body">
      <p>
        <strong>{tests.passed} passed</strong>, <strong class={tests.failed ? "bad" : ""}>{tests.failed} failed</strong>
      </p>
      {tests.tests.length === 0 && <Empty title="This script has no test blocks" />}
      <ul class="tests">
        {tests.tests.map((t, i) => (
          <li key={i} class={t.passed ? "pass" : "fail"}>
            <button type="button" class="link" onClick={() => onJump(t.line)}>
              {t.passed ? "✔" : "✘"} {t.name}
            </button>
            {t.error && <pre class="diff">{t.error}</pre>}
            {t.diff && <pre class="diff">{t.diff}</pre>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function VersionsPanel({ flow, onRestored }: { flow: Flow; onRestored: (f: Flow) => void }) {
  const [versions, setVersions] = useState<any[]>([]);
  const [diff, setDiff] = useState<{ version: number; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<any[]>(`/api/v1/flows/${flow.name}/versions`)
      .then((v) => setVersions([...v].reverse()))
      .catch((e) => setError(describe(e)));
  }, [flow.name, flow.version]);
  async function showDiff(version: number) {
    try {
      const d = await get(`/api/v1/flows/${flow.name}/versions/${version - 1}/diff/${version}`);
      const settings = Object.keys(d.settings ?? {}).length ? `\nsettings: ${JSON.stringify(d.settings)}` : "";
      setDiff({ version, text: (d.script || "(script unchanged)") + settings });
    } catch (e) {
      setError(describe(e));
    }
  }
  async function restore(version: number) {
    try {
      onRestored(await post<Flow>(`/api/v1/flows/${flow.name}/versions/${version}/restore`));
    } catch (e) {
      setError(describe(e));
    }
  }
  return (
    <div class="panel-body">
      <ErrorBox error={error} />
      <ul class="versions">
        {versions.map((v) => (
          <li key={v.version}>
            <strong>v{v.version}</strong> {when(v.created_at)} <span class="muted">{v.actor}</span>
            {v.note && <div>{v.note}</div>}
            <div class="row">
              {v.version > 1 && (
                <button type="button" onClick={() => showDiff(v.version)}>
                  diff with v{v.version - 1}
                </button>
              )}
              {v.version !== flow.version && (
                <button type="button" onClick={() => restore(v.version)}>
                  restore
                </button>
              )}
            </div>
            {diff && diff.version === v.version && <pre class="diff">{diff.text}</pre>}
          </li>
        ))}
      </ul>
    </div>
  );
}
