// The onboarding wizard: connect both systems (a sandbox of this server or real
// credentials, with a connection test and the Exact OAuth consent), pick flows, answer the
// settings questions, dry run on a sample, then go live. The systems and the credentials
// each asks come from the connectors' declarations (GET /api/v1/connection-kinds).

import { useEffect, useState } from "preact/hooks";
import {
  ApiError,
  describe,
  type Flow,
  get,
  patch,
  post,
  put,
  type Run,
  type SettingSpec,
  waitForRun,
} from "./api";
import { type Connection, type ConnectionKind, ConnectionsStep } from "./connections";
import { Badge, countsText, Empty, ErrorBox, Field } from "./ui";

interface Builtin {
  name: string;
  description: string | null;
  source: string[] | null;
  target: string | null;
  settings_schema: Record<string, SettingSpec>;
}

const STEPS = ["Connections", "Flows", "Settings", "Dry run", "Go live"];

export function Wizard({ onFlowsChanged }: { onFlowsChanged: () => void }) {
  const [step, setStep] = useState(0);
  const [connections, setConnections] = useState<Record<string, Connection>>({});
  const [picked, setPicked] = useState<string[]>([]);
  const [builtins, setBuiltins] = useState<Builtin[]>([]);
  const [created, setCreated] = useState<Flow[]>([]);
  const [dryRuns, setDryRuns] = useState<Record<string, Run>>({});
  const [kinds, setKinds] = useState<ConnectionKind[] | null>(null);
  const [kindsError, setKindsError] = useState<string | null>(null);

  const loadConnections = () =>
    get<Connection[]>("/api/v1/connections").then((list) =>
      setConnections(Object.fromEntries(list.map((c) => [c.name, c]))),
    );
  useEffect(() => {
    loadConnections().catch(() => {});
    get<Builtin[]>("/api/v1/builtins").then(setBuiltins).catch(() => {});
    get<ConnectionKind[]>("/api/v1/connection-kinds")
      .then(setKinds)
      .catch((e) => setKindsError(`The connection kinds could not be loaded: ${describe(e)}`));
  }, []);

  const ready = (kind: string) => connections[kind]?.status === "ready" || connections[kind]?.status === "untested";
  return (
    <div class="page wizard">
      <h1>Set up mapwright</h1>
      <ol class="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s} class={i === step ? "current" : i < step ? "done" : ""} aria-current={i === step ? "step" : undefined}>
            <button type="button" class="link" onClick={() => setStep(i)} disabled={i > step}>
              {i + 1}. {s}
            </button>
          </li>
        ))}
      </ol>
      {step === 0 && (
        <ConnectionsStep
          kinds={kinds}
          kindsError={kindsError}
          connections={connections}
          reload={loadConnections}
          onNext={() => setStep(1)}
          canGoOn={(kinds ?? []).some((k) => ready(k.kind))}
        />
      )}
      {step === 1 && (
        <FlowsStep
          builtins={builtins}
          picked={picked}
          setPicked={setPicked}
          ready={ready}
          onNext={() => setStep(2)}
        />
      )}
      {step === 2 && (
        <SettingsStep
          builtins={builtins.filter((b) => picked.includes(b.name))}
          onDone={(flows) => {
            setCreated(flows);
            onFlowsChanged();
            setStep(3);
          }}
        />
      )}
      {step === 3 && (
        <DryRunStep flows={created} runs={dryRuns} setRuns={setDryRuns} onNext={() => setStep(4)} />
      )}
      {step === 4 && <GoLiveStep flows={created} onDone={onFlowsChanged} />}
    </div>
  );
}

function FlowsStep({
  builtins,
  picked,
  setPicked,
  ready,
  onNext,
}: {
  builtins: Builtin[];
  picked: string[];
  setPicked: (p: string[]) => void;
  ready: (kind: string) => boolean;
  onNext: () => void;
}) {
  if (!builtins.length) return <Empty title="No built-in flows found" />;
  return (
    <section aria-label="Pick flows">
      <p>Pick the flows to set up. A flow needs both of its systems connected.</p>
      <ul class="pick">
        {builtins.map((b) => {
          const needs = [b.source?.[0], b.target].filter(Boolean) as string[];
          const missing = needs.filter((k) => !ready(k));
          return (
            <li key={b.name}>
              <label class="inline">
                <input
                  type="checkbox"
                  checked={picked.includes(b.name)}
                  disabled={missing.length > 0}
                  onChange={(e) =>
                    setPicked(
                      (e.target as HTMLInputElement).checked
                        ? [...picked, b.name]
                        : picked.filter((p) => p !== b.name),
                    )
                  }
                />{" "}
                <strong>{b.name}</strong> <span class="muted">{b.description}</span>
              </label>
              <div class="muted small">
                {b.source?.join(".")} → {b.target}
                {missing.length > 0 && <span class="bad"> · connect {missing.join(" and ")} first</span>}
              </div>
            </li>
          );
        })}
      </ul>
      <div class="row">
        <button type="button" class="primary" disabled={!picked.length} onClick={onNext}>
          Next: settings
        </button>
      </div>
    </section>
  );
}

/** A form value for a setting, as the user edits it (text), and back to JSON. */
function initial(spec: SettingSpec): string {
  if (spec.default === undefined || spec.default === null) return "";
  if (spec.type === "bool") return spec.default ? "true" : "false";
  if (typeof spec.default === "object") return JSON.stringify(spec.default, null, 1);
  return String(spec.default);
}

function parsed(spec: SettingSpec, text: string): unknown {
  switch (spec.type) {
    case "bool":
      return text === "true";
    case "number":
    case "money":
      if (text.trim() === "") return null;
      if (!/^-?\d+(\.\d+)?$/.test(text.trim())) throw new Error("enter a number such as 19 or 19.99");
      return Number(text);
    case "list":
    case "table":
    case "any":
      if (text.trim() === "") return spec.type === "list" ? [] : spec.type === "table" ? {} : null;
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(spec.type === "list" ? 'enter a JSON list, e.g. ["a", "b"]' : 'enter JSON, e.g. {"key": "value"}');
      }
    default:
      return text;
  }
}

export function SettingsForm({
  schema,
  values,
  setValues,
  errors,
  prefix,
}: {
  schema: Record<string, SettingSpec>;
  values: Record<string, string>;
  setValues: (v: Record<string, string>) => void;
  errors: Record<string, string>;
  prefix: string;
}) {
  const specs = Object.values(schema);
  if (!specs.length) return <p class="muted">This flow has no settings.</p>;
  return (
    <div class="settings-form">
      {specs.map((spec) => {
        const value = values[spec.name] ?? initial(spec);
        const set = (v: string) => setValues({ ...values, [spec.name]: v });
        const id = `${prefix}-${spec.name}`;
        let input;
        if (spec.type === "bool") {
          input = (
            <input id={id} type="checkbox" checked={value === "true"} onChange={(e) => set((e.target as HTMLInputElement).checked ? "true" : "false")} />
          );
        } else if (spec.type === "enum" && spec.choices) {
          input = (
            <select id={id} value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
              {spec.choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          );
        } else if (["list", "table", "any"].includes(spec.type)) {
          input = <textarea id={id} class="code" rows={3} value={value} onInput={(e) => set((e.target as HTMLTextAreaElement).value)} />;
        } else {
          input = (
            <input
              id={id}
              type={(spec.type === "date" ? "date" : "text") as any}
              inputMode={(spec.type === "number" || spec.type === "money" ? "decimal" : undefined) as any}
              value={value}
              onInput={(e) => set((e.target as HTMLInputElement).value)}
            />
          );
        }
        return (
          <Field
            key={spec.name}
            label={`${spec.name}${spec.required ? " (required)" : ""}`}
            hint={`${spec.help ?? ""}${spec.help ? " · " : ""}${spec.type}`}
            error={errors[spec.name]}
          >
            {input}
          </Field>
        );
      })}
    </div>
  );
}

/** The settings as JSON, or the problems per setting name. */
export function settingsOf(
  schema: Record<string, SettingSpec>,
  values: Record<string, string>,
): { settings: Record<string, unknown>; problems: Record<string, string> } {
  const settings: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const spec of Object.values(schema)) {
    if (!(spec.name in values)) continue; // unchanged: the flow's default applies
    try {
      settings[spec.name] = parsed(spec, values[spec.name]);
    } catch (e) {
      problems[spec.name] = (e as Error).message;
    }
  }
  return { settings, problems };
}

function SettingsStep({ builtins, onDone }: { builtins: Builtin[]; onDone: (flows: Flow[]) => void }) {
  const [values, setValues] = useState<Record<string, Record<string, string>>>({});
  const [errors, setErrors] = useState<Record<string, Record<string, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    const flows: Flow[] = [];
    const allErrors: Record<string, Record<string, string>> = {};
    for (const b of builtins) {
      const { settings, problems } = settingsOf(b.settings_schema, values[b.name] ?? {});
      if (Object.keys(problems).length) {
        allErrors[b.name] = problems;
        continue;
      }
      try {
        flows.push(await post<Flow>("/api/v1/flows", { name: b.name, builtin: b.name, settings }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          try {
            flows.push(await patch<Flow>(`/api/v1/flows/${b.name}`, { settings, note: "onboarding wizard" }));
            continue;
          } catch (again) {
            e = again;
          }
        }
        if (e instanceof ApiError && e.errors.length) {
          allErrors[b.name] = Object.fromEntries(
            e.errors.map((x) => [x.loc.replace(/^body\.settings\./, ""), x.msg]),
          );
        }
        setError(`${b.name}: ${describe(e)}`);
      }
    }
    setErrors(allErrors);
    setBusy(false);
    if (!Object.keys(allErrors).length && flows.length === builtins.length) onDone(flows);
  }

  return (
    <section aria-label="Settings">
      <p>Answer the questions of each flow; the defaults work for most companies.</p>
      {builtins.map((b) => (
        <fieldset key={b.name} class="card" data-flow={b.name}>
          <legend>{b.name}</legend>
          <SettingsForm
            schema={b.settings_schema}
            values={values[b.name] ?? {}}
            setValues={(v) => setValues({ ...values, [b.name]: v })}
            errors={errors[b.name] ?? {}}
            prefix={b.name}
          />
        </fieldset>
      ))}
      <ErrorBox error={error} />
      <div class="row">
        <button type="button" class="primary" disabled={busy} onClick={create}>
          Save settings and create the flows
        </button>
      </div>
    </section>
  );
}

function DryRunStep({
  flows,
  runs,
  setRuns,
  onNext,
}: {
  flows: Flow[];
  runs: Record<string, Run>;
  setRuns: (r: Record<string, Run>) => void;
  onNext: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function dryRun() {
    setBusy(true);
    setError(null);
    const found: Record<string, Run> = {};
    for (const flow of flows) {
      try {
        const started = await post<Run>(`/api/v1/flows/${flow.name}/runs`, { dry_run: true, wait_seconds: 0 });
        found[flow.name] = await waitForRun(started.id, 120);
      } catch (e) {
        setError(`${flow.name}: ${describe(e)}`);
      }
    }
    setRuns(found);
    setBusy(false);
  }
  return (
    <section aria-label="Dry run">
      <p>A dry run reads real records, maps them and plans every write, but sends nothing.</p>
      <button type="button" class="primary" disabled={busy} onClick={dryRun}>
        {busy ? "Dry run running…" : "Start the dry run"}
      </button>
      <ErrorBox error={error} />
      <ul class="results">
        {flows.map((f) =>
          runs[f.name] ? (
            <li key={f.name} data-testid="dry-run-result">
              <strong>{f.name}</strong> <Badge status={runs[f.name].status} /> {countsText(runs[f.name].counts)} ·{" "}
              <a href={`#/runs/${runs[f.name].id}`} target="_blank" rel="noopener">
                see every record
              </a>
            </li>
          ) : null,
        )}
      </ul>
      <div class="row">
        <button type="button" class="primary" disabled={!Object.keys(runs).length} onClick={onNext}>
          Next: go live
        </button>
      </div>
    </section>
  );
}

function GoLiveStep({ flows, onDone }: { flows: Flow[]; onDone: () => void }) {
  const [interval, setIntervalValue] = useState("900");
  const [runNow, setRunNow] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [runs, setRuns] = useState<Run[]>([]);
  async function goLive() {
    setBusy(true);
    setError(null);
    const done: Run[] = [];
    for (const flow of flows) {
      try {
        if (interval) await put(`/api/v1/flows/${flow.name}/schedule`, { interval_seconds: Number(interval) });
        await post(`/api/v1/flows/${flow.name}/enable`);
        if (runNow) {
          const started = await post<Run>(`/api/v1/flows/${flow.name}/runs`, { dry_run: false, wait_seconds: 0 });
          done.push(await waitForRun(started.id, 120));
        }
      } catch (e) {
        setError(`${flow.name}: ${describe(e)}`);
      }
    }
    setRuns(done);
    setBusy(false);
    onDone();
  }
  return (
    <section aria-label="Go live">
      <Field label="Run every">
        <select value={interval} onChange={(e) => setIntervalValue((e.target as HTMLSelectElement).value)}>
          <option value="300">5 minutes</option>
          <option value="900">15 minutes</option>
          <option value="3600">hour</option>
          <option value="86400">day</option>
          <option value="">only when started by hand</option>
        </select>
      </Field>
      <label class="inline">
        <input type="checkbox" checked={runNow} onChange={(e) => setRunNow((e.target as HTMLInputElement).checked)} /> Run
        once now
      </label>
      <div class="row">
        <button type="button" class="primary" disabled={busy} onClick={goLive}>
          {busy ? "Going live…" : "Go live"}
        </button>
      </div>
      <ErrorBox error={error} />
      {runs.length > 0 && (
        <ul class="results">
          {runs.map((r) => (
            <li key={r.id} data-testid="live-run-result">
              <strong>{r.flow}</strong> <Badge status={r.status} /> {countsText(r.counts)} ·{" "}
              <a href={`#/runs/${r.id}`}>open the log</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
