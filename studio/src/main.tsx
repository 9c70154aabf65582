// The studio's shell: the API key, the navigation (hash routes), the flow list on the left
// and the page in the middle; a banner when the server is unreachable or the key refused.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import {
  apiKey,
  type Catalogue,
  call,
  describe,
  type Flow,
  get,
  type Language,
  onConnectionProblem,
  setApiKey,
} from "./api";
import { FlowsPage, ParkedPage, RunLogPage, RunsPage } from "./dashboard";
import { EditorPage } from "./editor/EditorPage";
import "./styles.css";
import { TemplatesPage } from "./templates";
import { Badge, ErrorBox } from "./ui";
import { Wizard } from "./wizard";

function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const [route, setRoute] = useState(read());
  useEffect(() => {
    const listener = () => setRoute(read());
    window.addEventListener("hashchange", listener);
    return () => window.removeEventListener("hashchange", listener);
  }, []);
  return route;
}

function useTheme(): [string, () => void] {
  const preferred = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  const [theme, setTheme] = useState(localStorage.getItem("mapwright.theme") ?? preferred);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem("mapwright.theme", theme);
  }, [theme]);
  return [theme, () => setTheme(theme === "dark" ? "light" : "dark")];
}

function Login({ onKey, problem }: { onKey: (key: string, tenant: string) => void; problem: string | null }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(problem);
  async function submit(e: Event) {
    e.preventDefault();
    try {
      const me = await call("GET", "/api/v1/me", undefined, { key: key.trim(), quiet: true });
      onKey(key.trim(), me.tenant);
    } catch (err) {
      setError(
        (err as any).status === 401
          ? "This API key is not valid (unknown, revoked or expired). Ask an admin for a new one."
          : describe(err),
      );
    }
  }
  return (
    <main class="login">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>mapwright studio</h1>
        <p>
          Paste your API key. <code>mapwright serve --demo</code> prints one; an admin creates others with{" "}
          <code>mapwright api tenant NAME</code>. The key stays in this browser tab only.
        </p>
        <label class="field">
          <span class="field-label">API key</span>
          <input
            type="password"
            name="api-key"
            autocomplete="off"
            value={key}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            required
          />
        </label>
        <ErrorBox error={error} />
        <button type="submit" class="primary">
          Open the studio
        </button>
        <p class="muted small">
          API reference: <a href="/docs">Swagger UI</a> · <a href="/redoc">ReDoc</a>
        </p>
      </form>
    </main>
  );
}

const NAV = [
  ["dashboard", "Flows"],
  ["editor", "Editor"],
  ["runs", "Runs"],
  ["parked", "Parked"],
  ["templates", "Templates"],
  ["wizard", "Set up"],
];

function App() {
  const [key, setKey] = useState(apiKey());
  const [tenant, setTenant] = useState<string | null>(null);
  const [problem, setProblem] = useState<"unauthorized" | "unreachable" | null>(null);
  const [flows, setFlows] = useState<Flow[]>([]);
  const [flowsError, setFlowsError] = useState<string | null>(null);
  const [language, setLanguage] = useState<Language | null>(null);
  const [catalogues, setCatalogues] = useState<Record<string, Catalogue>>({});
  const [theme, toggleTheme] = useTheme();
  const route = useRoute();

  useEffect(() => onConnectionProblem(setProblem), []);
  const loadFlows = () =>
    get<Flow[]>("/api/v1/flows")
      .then((f) => {
        setFlows(f);
        setFlowsError(null);
      })
      .catch((e) => setFlowsError(describe(e)));

  useEffect(() => {
    if (!key) return;
    get("/api/v1/me")
      .then((me) => setTenant(me.tenant))
      .catch(() => {});
    loadFlows();
    get<Language>("/api/v1/studio/language").then(setLanguage).catch(() => {});
    get<string[]>("/api/v1/studio/catalogue")
      .then(async (kinds) => {
        const found: Record<string, Catalogue> = {};
        for (const kind of kinds) found[kind] = await get<Catalogue>(`/api/v1/studio/catalogue/${kind}`);
        setCatalogues(found);
      })
      .catch(() => {});
  }, [key]);

  if (!key || problem === "unauthorized") {
    return (
      <Login
        problem={problem === "unauthorized" ? "The server refused the API key (expired or revoked). Sign in again." : null}
        onKey={(k, t) => {
          setApiKey(k);
          setTenant(t);
          setProblem(null);
          setKey(k);
        }}
      />
    );
  }

  const [page = "dashboard", arg] = route;
  const current = page === "editor" && arg ? flows.find((f) => f.name === arg) ?? null : null;
  const saved = (flow: Flow) => {
    setFlows(flows.map((f) => (f.name === flow.name ? flow : f)));
  };

  let body;
  if (page === "editor") {
    body =
      arg && !current && !flowsError ? (
        <p class="muted page">Loading flow {arg}…</p>
      ) : (
        <EditorPage flow={current} language={language} catalogues={catalogues} onSaved={saved} />
      );
  } else if (page === "runs" && arg) body = <RunLogPage id={arg} />;
  else if (page === "runs") body = <RunsPage flows={flows} />;
  else if (page === "parked") body = <ParkedPage />;
  else if (page === "templates") body = <TemplatesPage flows={flows} onFlowsChanged={loadFlows} />;
  else if (page === "wizard") body = <Wizard onFlowsChanged={loadFlows} />;
  else body = <FlowsPage flows={flows} reload={loadFlows} />;

  return (
    <div class="shell">
      <header class="topbar">
        <a href="#/dashboard" class="brand">
          <img src="/studio/favicon.svg" alt="" width={20} height={20} /> mapwright
        </a>
        <nav aria-label="Main">
          {NAV.map(([id, label]) => (
            <a key={id} href={`#/${id}`} aria-current={page === id ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        {tenant && <span class="muted">tenant {tenant}</span>}
        <a href="/docs" target="_blank" rel="noopener">
          API
        </a>
        <button type="button" onClick={toggleTheme} aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}>
          {theme === "dark" ? "☀" : "☾"}
        </button>
        <button
          type="button"
          onClick={() => {
            setApiKey(null);
            setKey(null);
            setTenant(null);
          }}
        >
          Sign out
        </button>
      </header>
      {problem === "unreachable" && (
        <div class="banner" role="alert">
          The server does not answer. Check that <code>mapwright serve</code> runs; the studio retries on your next
          action. <button type="button" onClick={() => loadFlows()}>Retry now</button>
        </div>
      )}
      <div class="workspace">
        <nav class="flow-list" aria-label="Flows">
          <h2>Flows</h2>
          <ErrorBox error={flowsError} />
          {flows.length === 0 && !flowsError && (
            <p class="muted small">
              No flows. <a href="#/wizard">Set one up</a>.
            </p>
          )}
          <ul>
            <li>
              <a href="#/editor" aria-current={page === "editor" && !arg ? "page" : undefined}>
                <em>scratch script</em>
              </a>
            </li>
            {flows.map((f) => (
              <li key={f.name}>
                <a href={`#/editor/${f.name}`} aria-current={page === "editor" && arg === f.name ? "page" : undefined}>
                  {f.name}
                </a>{" "}
                <Badge status={f.paused_reason ? "paused" : f.enabled ? "enabled" : "disabled"} />
              </li>
            ))}
          </ul>
        </nav>
        <main class="content">{body}</main>
      </div>
    </div>
  );
}

render(<App />, document.getElementById("app")!);
