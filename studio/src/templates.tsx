// Templates: the gallery (built-ins and shared templates), install one as a flow, export a
// flow as a template file, import a template file (its tests run on import).

import { useEffect, useState } from "preact/hooks";
import { describe, type Flow, get, post } from "./api";
import { Empty, ErrorBox, Field } from "./ui";

interface Template {
  name: string;
  version: string;
  description: string;
  content_hash: string;
  requires: string[];
  gallery: boolean;
  manifest?: Record<string, unknown> | null;
}

export function TemplatesPage({ flows, onFlowsChanged }: { flows: Flow[]; onFlowsChanged: () => void }) {
  const [templates, setTemplates] = useState<Template[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [exportFlow, setExportFlow] = useState("");
  const [version, setVersion] = useState("1.0.0");
  const [description, setDescription] = useState("");
  const [exported, setExported] = useState<string | null>(null);
  const [importText, setImportText] = useState("");
  const [imported, setImported] = useState<any>(null);
  const [shared, setShared] = useState<{ key: string; url: string; days: number } | null>(null);
  const [link, setLink] = useState("");

  const load = () => get<Template[]>("/api/v1/templates").then(setTemplates).catch((e) => setError(describe(e)));
  useEffect(() => {
    load();
  }, []);
  useEffect(() => {
    if (!exportFlow && flows.length) setExportFlow(flows[0].name);
  }, [flows]);

  async function install(t: Template, name: string) {
    try {
      await post("/api/v1/flows", { name, template: { name: t.name, version: t.version } });
      setMessage(`Installed ${t.name} ${t.version} as flow ${name}.`);
      onFlowsChanged();
    } catch (e) {
      setError(describe(e));
    }
  }

  async function publish(t: Template) {
    try {
      await post(`/api/v1/templates/${t.name}/versions/${t.version}/publish`);
      setMessage(`Published ${t.name} ${t.version} to this instance's gallery.`);
      load();
    } catch (e) {
      setError(describe(e));
    }
  }

  async function share(t: Template) {
    try {
      const answer = await post<{ url: string; expires_in_days: number }>(
        `/api/v1/templates/${t.name}/versions/${t.version}/share`,
      );
      setShared({ key: `${t.name}@${t.version}`, url: answer.url, days: answer.expires_in_days });
    } catch (e) {
      setError(describe(e));
    }
  }

  async function importLink() {
    const token = link.trim().replace(/^.*\/api\/v1\/shared\//, "");
    setError(null);
    try {
      const answer = await post("/api/v1/templates", { share_token: token });
      setImported(answer);
      setMessage(`Imported ${answer.name} ${answer.version} (${answer.state}).`);
      load();
    } catch (e) {
      setError(describe(e));
    }
  }

  async function doExport() {
    setError(null);
    try {
      const t = await post<Template>(`/api/v1/flows/${exportFlow}/export`, {
        version,
        description: description || undefined,
      });
      setExported(JSON.stringify({ manifest: t.manifest }, null, 2));
      setMessage(`Exported ${t.name} ${t.version} (hash ${t.content_hash.slice(0, 12)}…).`);
      load();
    } catch (e) {
      setError(describe(e));
    }
  }

  function download() {
    if (!exported) return;
    const blob = new Blob([exported], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${exportFlow}-${version}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  async function doImport() {
    setError(null);
    setImported(null);
    let data: any;
    try {
      data = JSON.parse(importText);
    } catch (e) {
      setError(`The template is not JSON: ${(e as Error).message}`);
      return;
    }
    const manifest = data?.manifest ?? data;
    try {
      const answer = await post("/api/v1/templates", { manifest });
      setImported(answer);
      setMessage(`Imported ${answer.name} ${answer.version} (${answer.state}).`);
      load();
    } catch (e) {
      setError(describe(e));
    }
  }

  async function readFile(file: File | undefined) {
    if (file) setImportText(await file.text());
  }

  return (
    <div class="page">
      <h1>Templates</h1>
      <ErrorBox error={error} />
      {message && (
        <div class="note" role="status">
          {message}
        </div>
      )}
      <section aria-label="Gallery">
        <h2>Gallery and your templates</h2>
        {templates.length === 0 ? (
          <Empty title="No templates yet">Export a flow below, or import a template file.</Empty>
        ) : (
          <div class="cards">
            {templates.map((t) => (
              <article class="card" key={`${t.gallery}-${t.name}`} data-template={t.name}>
                <header>
                  <h3>{t.name}</h3> <span class="muted">{t.version}</span>{" "}
                  <span class="badge">{t.gallery ? "gallery" : "yours"}</span>
                </header>
                <p>{t.description || <span class="muted">no description</span>}</p>
                <p class="muted small">needs {t.requires.join(", ") || "nothing"}</p>
                <Install template={t} onInstall={install} />
                {!t.gallery && (
                  <div class="row">
                    <button type="button" onClick={() => publish(t)}>
                      Publish to the gallery
                    </button>
                    <button type="button" onClick={() => share(t)}>
                      Share link
                    </button>
                  </div>
                )}
                {shared?.key === `${t.name}@${t.version}` && (
                  <label class="field">
                    <span class="field-label">Share link (valid {shared.days} days)</span>
                    <input readOnly value={shared.url} onFocus={(e) => (e.target as HTMLInputElement).select()} />
                  </label>
                )}
              </article>
            ))}
          </div>
        )}
      </section>
      <section aria-label="Export">
        <h2>Export a flow</h2>
        {flows.length === 0 ? (
          <p class="muted">No flows to export.</p>
        ) : (
          <div class="form-row">
            <Field label="Flow">
              <select value={exportFlow} onChange={(e) => setExportFlow((e.target as HTMLSelectElement).value)}>
                {flows.map((f) => (
                  <option key={f.name}>{f.name}</option>
                ))}
              </select>
            </Field>
            <Field label="Version" hint="semantic version, e.g. 1.0.0">
              <input value={version} onInput={(e) => setVersion((e.target as HTMLInputElement).value)} />
            </Field>
            <Field label="Description">
              <input value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
            </Field>
            <button type="button" class="primary" onClick={doExport}>
              Export
            </button>
          </div>
        )}
        {exported && (
          <>
            <textarea class="code" rows={8} readOnly aria-label="Exported template" value={exported} />
            <div class="row">
              <button type="button" onClick={download}>
                Download file
              </button>
              <button type="button" onClick={() => navigator.clipboard?.writeText(exported)}>
                Copy
              </button>
            </div>
          </>
        )}
      </section>
      <section aria-label="Import">
        <h2>Import a template</h2>
        <p class="muted">Templates hold the script, settings schema and tests; never credentials.</p>
        <Field label="Template file">
          <input type="file" accept="application/json,.json" onChange={(e) => readFile((e.target as HTMLInputElement).files?.[0])} />
        </Field>
        <Field label="…or paste the template JSON">
          <textarea class="code" rows={6} value={importText} onInput={(e) => setImportText((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <button type="button" class="primary" disabled={!importText.trim()} onClick={doImport}>
          Import
        </button>
        <div class="form-row">
          <Field label="…or a share link">
            <input value={link} onInput={(e) => setLink((e.target as HTMLInputElement).value)} />
          </Field>
          <button type="button" disabled={!link.trim()} onClick={importLink}>
            Import from link
          </button>
        </div>
        {imported && (
          <div data-testid="import-result">
            <p>
              <strong>
                {imported.name} {imported.version}
              </strong>{" "}
              {imported.state}; its tests: {imported.tests.filter((t: any) => t.passed).length} passed,{" "}
              {imported.tests.filter((t: any) => !t.passed).length} failed
            </p>
            <Install template={imported} onInstall={install} />
          </div>
        )}
      </section>
    </div>
  );
}

function Install({
  template,
  onInstall,
}: {
  template: Template;
  onInstall: (t: Template, name: string) => void;
}) {
  const [name, setName] = useState(template.name);
  return (
    <div class="form-row">
      <Field label="Flow name">
        <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="button" onClick={() => onInstall(template, name)}>
        Install as flow
      </button>
    </div>
  );
}
