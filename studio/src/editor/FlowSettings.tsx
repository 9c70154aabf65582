// The flow's settings form (generated from the script's settings schema, with the server's
// validation messages), its schedule and its alert channels.

import { useEffect, useState } from "preact/hooks";
import { ApiError, del, describe, type Flow, get, patch, post, put } from "../api";
import { Empty, ErrorBox, Field, when } from "../ui";
import { SettingsForm, settingsOf } from "../wizard";

interface Channel {
  id: number;
  kind: string;
  target: string;
}

export function FlowSettings({ flow, onSaved }: { flow: Flow; onSaved: (f: Flow) => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [events, setEvents] = useState<any[]>([]);
  const [kind, setKind] = useState<"webhook" | "email">("webhook");
  const [target, setTarget] = useState("");
  const [every, setEvery] = useState(String(flow.schedule?.interval_seconds ?? ""));
  const [cron, setCron] = useState(flow.schedule?.cron ?? "");

  const schemaValues = Object.fromEntries(
    Object.values(flow.settings_schema).map((spec) => {
      const value = flow.settings[spec.name] ?? spec.default;
      const text =
        value === undefined || value === null
          ? ""
          : spec.type === "bool"
            ? String(Boolean(value))
            : typeof value === "object"
              ? JSON.stringify(value, null, 1)
              : String(value);
      return [spec.name, text];
    }),
  );
  const loadAlerts = () => {
    get<Channel[]>(`/api/v1/flows/${flow.name}/alerts`).then(setChannels).catch(() => setChannels([]));
    get<any[]>(`/api/v1/flows/${flow.name}/alerts/events`).then(setEvents).catch(() => setEvents([]));
  };
  useEffect(() => {
    setValues(schemaValues);
    setErrors({});
    loadAlerts();
  }, [flow.name, flow.version]);

  async function saveSettings() {
    const { settings, problems } = settingsOf(flow.settings_schema, values);
    setErrors(problems);
    if (Object.keys(problems).length) return;
    try {
      const saved = await patch<Flow>(`/api/v1/flows/${flow.name}`, { settings, note: "settings" });
      setMessage(`Settings saved as version ${saved.version}.`);
      setError(null);
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError) {
        setErrors(Object.fromEntries(e.errors.map((x) => [x.loc.replace(/^body\.settings\./, ""), x.msg])));
      }
      setError(describe(e));
    }
  }

  async function saveSchedule() {
    try {
      const saved = cron.trim()
        ? await put<Flow>(`/api/v1/flows/${flow.name}/schedule`, { cron: cron.trim() })
        : every
          ? await put<Flow>(`/api/v1/flows/${flow.name}/schedule`, { interval_seconds: Number(every) })
          : await del<Flow>(`/api/v1/flows/${flow.name}/schedule`);
      setMessage(saved?.next_run_at ? `Next run ${when(saved.next_run_at)}.` : "Schedule removed.");
      setError(null);
      if (saved) onSaved(saved);
    } catch (e) {
      setError(describe(e));
    }
  }

  async function addChannel() {
    const body =
      kind === "webhook"
        ? { kind, url: target.trim() }
        : { kind, to: target.split(",").map((a) => a.trim()).filter(Boolean) };
    try {
      await post(`/api/v1/flows/${flow.name}/alerts`, body);
      setTarget("");
      setError(null);
      loadAlerts();
    } catch (e) {
      setError(describe(e));
    }
  }

  async function testChannels() {
    try {
      const delivered = await post<boolean[]>(`/api/v1/flows/${flow.name}/alerts/test`);
      setMessage(`Test notice: ${delivered.filter(Boolean).length} of ${delivered.length} channels reached.`);
      loadAlerts();
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <div class="panel-body">
      <ErrorBox error={error} />
      {message && (
        <div class="note" role="status">
          {message}
        </div>
      )}
      <h2>Settings</h2>
      <SettingsForm schema={flow.settings_schema} values={values} setValues={setValues} errors={errors} prefix={`s-${flow.name}`} />
      {Object.keys(flow.settings_schema).length > 0 && (
        <button type="button" class="primary" onClick={saveSettings}>
          Save settings
        </button>
      )}
      <h2>Schedule</h2>
      <div class="form-row">
        <Field label="Every (seconds)" hint="60 or more; empty: no interval">
          <input inputMode={"numeric" as any} value={every} onInput={(e) => setEvery((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="or cron (UTC)" hint="e.g. */15 * * * *">
          <input value={cron} onInput={(e) => setCron((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="button" onClick={saveSchedule}>
          Save schedule
        </button>
      </div>
      <h2>Alerts</h2>
      {channels.length === 0 ? (
        <p class="muted">No alert channels: a failing run notifies nobody.</p>
      ) : (
        <ul class="versions" aria-label="Alert channels">
          {channels.map((c) => (
            <li key={c.id}>
              {c.kind}: {c.target}{" "}
              <button
                type="button"
                onClick={() => del(`/api/v1/flows/${flow.name}/alerts/${c.id}`).then(loadAlerts, (e) => setError(describe(e)))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="form-row">
        <Field label="Channel">
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as any)}>
            <option value="webhook">webhook</option>
            <option value="email">e-mail</option>
          </select>
        </Field>
        <Field label={kind === "webhook" ? "Webhook URL" : "Addresses (comma separated)"}>
          <input value={target} onInput={(e) => setTarget((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="button" disabled={!target.trim()} onClick={addChannel}>
          Add
        </button>
        {channels.length > 0 && (
          <button type="button" onClick={testChannels}>
            Send a test notice
          </button>
        )}
      </div>
      {events.length > 0 ? (
        <details>
          <summary>Alerts sent ({events.length})</summary>
          <ul class="versions">
            {events.map((ev) => (
              <li key={ev.id}>
                {when(ev.at)} {ev.kind} {ev.delivered ? "delivered" : "not delivered"}
              </li>
            ))}
          </ul>
        </details>
      ) : (
        <Empty title="No alerts sent yet" />
      )}
    </div>
  );
}
