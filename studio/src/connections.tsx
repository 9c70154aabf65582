// The connections step of the onboarding wizard: a card per connector kind the service
// offers (GET /api/v1/connection-kinds: the fields each connector declares for a form),
// connected to a sandbox of this server or with the account's credentials, tested by a real
// call, with the OAuth consent where the connector declares one.

import { useEffect, useState } from "preact/hooks";
import { ApiError, describe, get, post } from "./api";
import { Badge, ErrorBox, Field } from "./ui";

export interface Connection {
  name: string;
  kind: string;
  status: string;
  authorize_url?: string | null;
}
export interface Sandbox {
  name: string;
  kind: string;
  base_url: string;
  credentials: Record<string, string>;
}

/** A credential a connection form asks, as the connector declares it. */
export interface CredentialField {
  name: string;
  label: string;
  required: boolean;
  secret: boolean;
  help: string;
}
/** A connection kind and its form (GET /api/v1/connection-kinds). */
export interface ConnectionKind {
  kind: string;
  title: string;
  fields: CredentialField[];
  consent: boolean;
  sandbox: string | null;
  base_url: { label: string; help: string };
  required_options: string[];
}

export function ConnectionsStep({
  kinds,
  kindsError,
  connections,
  reload,
  onNext,
  canGoOn,
}: {
  kinds: ConnectionKind[] | null;
  kindsError: string | null;
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
      <ErrorBox error={kindsError} />
      {kinds === null && !kindsError && <p class="muted">Loading the systems…</p>}
      <div class="cards">
        {(kinds ?? [])
          .filter((k) => !k.required_options.length)
          .map((system) => (
            <ConnectionCard
              key={system.kind}
              system={system}
              connection={connections[system.kind]}
              sandbox={sandboxes.find((s) => s.kind === system.kind)}
              reload={reload}
            />
          ))}
      </div>
      <ElsewhereNote kinds={(kinds ?? []).filter((k) => k.required_options.length > 0)} />
      <div class="row">
        <button type="button" class="primary" disabled={!canGoOn} onClick={onNext}>
          Next: pick flows
        </button>
      </div>
    </section>
  );
}

/** The kinds whose connections need options this form does not ask (a folder, a description). */
function ElsewhereNote({ kinds }: { kinds: ConnectionKind[] }) {
  if (!kinds.length) return null;
  return (
    <p class="muted small" data-testid="kinds-elsewhere">
      {kinds.map((k) => `${k.title} (option ${k.required_options.join(", ")})`).join(" and ")}{" "}
      {kinds.length > 1 ? "need options" : "needs an option"} this form does not ask: create{" "}
      {kinds.length > 1 ? "those connections" : "that connection"} with <code>POST /api/v1/connections</code> or in{" "}
      <code>mapwright.toml</code>.
    </p>
  );
}

/** Required fields first, then the optional ones, each group in the declared order. */
function formFields(system: ConnectionKind): CredentialField[] {
  return [...system.fields.filter((f) => f.required), ...system.fields.filter((f) => !f.required)];
}

function ConnectionCard({
  system,
  connection,
  sandbox,
  reload,
}: {
  system: ConnectionKind;
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
            credentials: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "")),
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
      {system.consent && !connection && (
        <p class="muted small">After the credentials are saved, {system.title} asks for your consent.</p>
      )}
      {mode === "credentials" && (
        <div>
          {formFields(system).map((f) => (
            <Field
              key={f.name}
              label={f.required ? f.label : `${f.label} (optional)`}
              hint={f.help || undefined}
              error={fieldErrors[f.name]}
            >
              <input
                type={(f.secret ? "password" : "text") as any}
                autocomplete="off"
                aria-required={f.required ? "true" : undefined}
                value={values[f.name] ?? ""}
                onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })}
              />
            </Field>
          ))}
          <Field
            label={`${system.base_url.label} (optional)`}
            hint={system.base_url.help || undefined}
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
          {system.title} needs your consent.{" "}
          {consent ? (
            <a href={consent} target="_blank" rel="noopener" class="button primary">
              {`Give consent in ${system.title}`}
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
