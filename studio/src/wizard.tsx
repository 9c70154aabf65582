// The onboarding wizard: connect both systems (a sandbox of this server or real
// credentials, with a connection test and the Exact OAuth consent), pick flows, answer the
// settings questions, dry run on a sample, then go live.

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
import { Badge, countsText, Empty, ErrorBox, Field } from "./ui";

interface Connection {
  name: string;
  kind: string;
  status: string;
  authorize_url?: string | null;
}
interface Sandbox {
  name: string;
  kind: string;
  base_url: string;
  credentials: Record<string, string>;
}
interface Builtin {
  name: string;
  description: string | null;
  source: string[] | null;
  target: string | null;
  settings_schema: Record<string, SettingSpec>;
}

const SYSTEMS: { kind: string; title: string; fields: { name: string; label: string; secret?: boolean }[] }[] = [
  {
    kind: "exact_online",
    title: "Exact Online",
    fields: [
      { name: "client_id", label: "App client id" },
      { name: "client_secret", label: "App client secret", secret: true },
    ],
  },
  {
    kind: "buchhaltungsbutler",
    title: "BuchhaltungsButler",
    fields: [
      { name: "api_client", label: "API client" },
      { name: "api_secret", label: "API secret", secret: true },
      { name: "api_key", label: "API key (per customer)", secret: true },
    ],
  },
  { kind: "shop", title: "Shop", fields: [{ name: "api_key", label: "API key", secret: true }] },
];

const STEPS = ["Connections", "Flows", "Settings", "Dry run", "Go live"];

export function Wizard({ onFlowsChanged }: { onFlowsChanged: () => void }) {
  const [step, setStep] = useState(0);
  const [connections, setConnections] = useState<Record<string, Connection>>({});
  const [picked, setPicked] = useState<string[]>([]);
  const [builtins, setBuiltins] = useState<Builtin[]>([]);
  const [created, setCreated] = useState<Flow[]>([]);
  const [dryRuns, setDryRuns] = useState<Record<string, Run>>({});

  const loadConnections = () =>
    get<Connection[]>("/api/v1/connections").then((list) =>
      setConnections(Object.fromEntries(list.map((c) => [c.name, c]))),
    );
  useEffect(() => {
    loadConnections().catch(() => {});
    get<Builtin[]>("/api/v1/builtins").then(setBuiltins).catch(() => {});
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
          connections={connections}
          reload={loadConnections}
          onNext={() => setStep(1)}
          canGoOn={ready("exact_online") || ready("buchhaltungsbutler") || ready("shop")}
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

function ConnectionsStep({
  connections,
  reload,
  onNext,
  canGoOn,
}: {
  connections: Record<string, Connection>;
  reload: () => Promise<void>;
  onNext: () => void;
  canGoOn: boolean;
}) {
  const [sandboxes, setSandboxes] = useState<Sandbox[]>([]);
  useEffect(() => {
    get<Sandbox[]>("/api/v1/studio/sandboxes").then(setSandboxes).catch(() => setSandboxes([]));
  }, []);
  // while a consent is open in another window, look for its result
  useEffect(() => {
    if (!Object.values(connections).some((c) => c.status === "consent_needed")) return;
    const timer = setInterval(() => reload().catch(() => {}), 1500);
    return () => clearInterval(timer);
  }, [connections]);
  return (
    <section aria-label="Connections">
      <p>
        Connect the systems the flows read from and write to. Every connection is tested with a real call
        before it is saved; credentials are stored encrypted and never shown again.
      </p>
      <div class="cards">
        {SYSTEMS.map((system) => (
          <ConnectionCard
            key={system.kind}
            system={system}
            connection={connections[system.kind]}
            sandbox={sandboxes.find((s) => s.kind === system.kind)}
            reload={reload}
          />
        ))}
      </div>
      <div class="row">
        <button type="button" class="primary" disabled={!canGoOn} onClick={onNext}>
          Next: pick flows
        </button>
      </div>
    </section>
  );
}

function ConnectionCard({
  system,
  connection,
  sandbox,
  reload,
}: {
  system: (typeof SYSTEMS)[number];
  connection?: Connection;
  sandbox?: Sandbox;
  reload: () => Promise<void>;
}) {
  const [mode, setMode] = useState<"sandbox" | "credentials">(sandbox ? "sandbox" : "credentials");
  const [values, setValues] = useState<Record<string, string>>({});
  const [baseUrl, setBaseUrl] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [authorize, setAuthorize] = useState<string | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  useEffect(() => setMode(sandbox ? "sandbox" : "credentials"), [sandbox]);

  async function connect() {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    const body =
      mode === "sandbox" && sandbox
        ? { name: system.kind, kind: system.kind, base_url: sandbox.base_url, credentials: sandbox.credentials }
        : {
            name: system.kind,
            kind: system.kind,
            base_url: baseUrl || undefined,
            credentials: values,
          };
    try {
      const answer = await post<Connection>("/api/v1/connections", body);
      setAuthorize(answer.authorize_url ?? null);
      await reload();
    } catch (e) {
      if (e instanceof ApiError) {
        setFieldErrors(
          Object.fromEntries(e.errors.map((x) => [x.loc.replace(/^body\.(credentials\.)?/, ""), x.msg])),
        );
      }
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  async function test() {
    try {
      const answer = await post<{ ok: boolean; detail: string }>(`/api/v1/connections/${system.kind}/test`);
      setTested(answer.ok ? `Connection works: ${answer.detail}` : `Test failed: ${answer.detail}`);
    } catch (e) {
      setTested(describe(e));
    }
  }

  const status = connection?.status ?? "not connected";
  const consent = authorize ?? connection?.authorize_url ?? null;
  return (
    <article class="card" aria-label={system.title} data-kind={system.kind}>
      <header>
        <h2>{system.title}</h2> <Badge status={status.replace(" ", "-")} />
      </header>
      <fieldset>
        <legend class="sr-only">How to connect {system.title}</legend>
        {sandbox && (
          <label class="inline">
            <input type="radio" name={`mode-${system.kind}`} checked={mode === "sandbox"} onChange={() => setMode("sandbox")} />{" "}
            Sandbox on this server
          </label>
        )}
        <label class="inline">
          <input
            type="radio"
            name={`mode-${system.kind}`}
            checked={mode === "credentials"}
            onChange={() => setMode("credentials")}
          />{" "}
          My account's credentials
        </label>
      </fieldset>
      {mode === "sandbox" && sandbox && <p class="muted">{sandbox.base_url}</p>}
      {mode === "credentials" && (
        <div>
          {system.fields.map((f) => (
            <Field key={f.name} label={f.label} error={fieldErrors[f.name]}>
              <input
                type={(f.secret ? "password" : "text") as any}
                autocomplete="off"
                value={values[f.name] ?? ""}
                onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })}
              />
            </Field>
          ))}
          <Field
            label={system.kind === "exact_online" ? "Exact country or base URL" : "Base URL (optional)"}
            hint={system.kind === "exact_online" ? "nl, be, de, uk, es, fr, us or https://start.exactonline.nl" : undefined}
            error={fieldErrors.base_url}
          >
            <input value={baseUrl} onInput={(e) => setBaseUrl((e.target as HTMLInputElement).value)} />
          </Field>
        </div>
      )}
      <ErrorBox error={error} />
      <div class="row">
        <button type="button" class="primary" disabled={busy} onClick={connect}>
          {connection ? "Connect again" : "Connect and test"}
        </button>
        {connection && connection.status !== "consent_needed" && (
          <button type="button" onClick={test}>
            Test
          </button>
        )}
      </div>
      {tested && <p role="status">{tested}</p>}
      {status === "consent_needed" && (
        <div class="note" role="status">
          Exact Online needs your consent.{" "}
          {consent ? (
            <a href={consent} target="_blank" rel="noopener" class="button primary">
              Give consent in Exact Online
            </a>
          ) : (
            "Connect again to get the consent link."
          )}{" "}
          This page notices the answer by itself.
        </div>
      )}
    </article>
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
