// The dashboard: flows with their last runs, the runs chart, a run's per-record log and
// the parked records (edit, replay one or many).

import { useEffect, useState } from "preact/hooks";
import {
  describe,
  type Flow,
  get,
  post,
  put,
  type RecordLog,
  type Run,
  waitForRun,
} from "./api";
import { Badge, countsText, Empty, ErrorBox, Json, RunsChart, Sparkline, when } from "./ui";

function schedule(flow: Flow): string {
  const s = flow.schedule;
  if (!s) return "manual";
  if (s.cron) return `cron ${s.cron}`;
  if (s.interval_seconds) return `every ${Math.round(s.interval_seconds / 60)} min`;
  return "manual";
}

export function FlowsPage({ flows, reload }: { flows: Flow[]; reload: () => void }) {
  const [runs, setRuns] = useState<Run[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = () =>
    get<Run[]>("/api/v1/runs?limit=500")
      .then(setRuns)
      .catch((e) => setError(describe(e)));
  useEffect(() => {
    load();
  }, [flows]);

  async function start(flow: Flow, dry: boolean) {
    setBusy(flow.name);
    setError(null);
    try {
      const started = await post<Run>(`/api/v1/flows/${flow.name}/runs`, { dry_run: dry, wait_seconds: 0 });
      const run = await waitForRun(started.id, 120);
      setMessage(`${dry ? "Dry run" : "Run"} of ${flow.name}: ${run.status}, ${countsText(run.counts)}.`);
      await load();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(null);
    }
  }

  async function toggle(flow: Flow) {
    try {
      await post(`/api/v1/flows/${flow.name}/${flow.enabled ? "disable" : "enable"}`);
      reload();
    } catch (e) {
      setError(describe(e));
    }
  }

  if (!flows.length)
    return (
      <Empty title="No flows yet">
        Start with the <a href="#/wizard">onboarding wizard</a> or install one from the{" "}
        <a href="#/templates">templates</a>.
      </Empty>
    );
  return (
    <div class="page">
      <h1>Flows</h1>
      <ErrorBox error={error} />
      {message && (
        <div class="note" role="status">
          {message}
        </div>
      )}
      <table class="grid" aria-label="Flows">
        <thead>
          <tr>
            <th scope="col">flow</th>
            <th scope="col">from → to</th>
            <th scope="col">status</th>
            <th scope="col">schedule</th>
            <th scope="col">last run</th>
            <th scope="col">records</th>
            <th scope="col">trend</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {flows.map((flow) => {
            const mine = runs.filter((r) => r.flow === flow.name);
            const last = mine[0];
            return (
              <tr key={flow.name} data-flow={flow.name}>
                <td>
                  <a href={`#/editor/${flow.name}`}>{flow.name}</a>
                </td>
                <td class="muted">
                  {flow.source?.join(".") ?? "—"} → {flow.target ?? "—"}
                </td>
                <td>
                  <Badge status={flow.paused_reason ? "paused" : flow.enabled ? "enabled" : "disabled"} />
                </td>
                <td>{schedule(flow)}</td>
                <td>
                  {last ? (
                    <a href={`#/runs/${last.id}`}>
                      <Badge status={last.status} /> {when(last.created_at)}
                    </a>
                  ) : (
                    <span class="muted">never</span>
                  )}
                </td>
                <td>{last ? countsText(last.counts) : "—"}</td>
                <td>
                  <Sparkline runs={mine} />
                </td>
                <td class="actions">
                  <button type="button" disabled={busy !== null} onClick={() => start(flow, false)}>
                    Run now
                  </button>
                  <button type="button" disabled={busy !== null} onClick={() => start(flow, true)}>
                    Dry run
                  </button>
                  <button type="button" onClick={() => toggle(flow)}>
                    {flow.enabled ? "Disable" : "Enable"}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {busy && (
        <p role="status" class="muted">
          Running {busy}…
        </p>
      )}
    </div>
  );
}

export function RunsPage({ flows }: { flows: Flow[] }) {
  const [flow, setFlow] = useState<string>("");
  const [runs, setRuns] = useState<Run[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = flow ? `&flow=${encodeURIComponent(flow)}` : "";
    get<Run[]>(`/api/v1/runs?limit=100${q}`)
      .then(setRuns)
      .catch((e) => setError(describe(e)));
  }, [flow]);
  return (
    <div class="page">
      <h1>Runs</h1>
      <label class="inline">
        Flow{" "}
        <select value={flow} onChange={(e) => setFlow((e.target as HTMLSelectElement).value)}>
          <option value="">all flows</option>
          {flows.map((f) => (
            <option key={f.name} value={f.name}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorBox error={error} />
      <RunsChart runs={runs} onPick={(r) => (location.hash = `#/runs/${r.id}`)} />
      {runs.length > 0 && (
        <table class="grid" aria-label="Runs">
          <thead>
            <tr>
              <th scope="col">started</th>
              <th scope="col">flow</th>
              <th scope="col">status</th>
              <th scope="col">trigger</th>
              <th scope="col">records</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={`#/runs/${r.id}`}>{when(r.created_at)}</a>
                </td>
                <td>{r.flow}</td>
                <td>
                  <Badge status={r.status} /> {r.dry_run && <span class="muted">dry run</span>}
                </td>
                <td>{r.trigger}</td>
                <td>{countsText(r.counts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function RunLogPage({ id }: { id: string }) {
  const [log, setLog] = useState<(Run & { records: RecordLog[] }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  useEffect(() => {
    get(`/api/v1/runs/${id}/records`)
      .then(setLog)
      .catch((e) => setError(describe(e)));
  }, [id]);
  if (error) return <ErrorBox error={error} />;
  if (!log) return <p class="muted">Loading the run…</p>;
  const outcomes = [...new Set(log.records.map((r) => r.outcome))];
  const shown = log.records.filter((r) => !filter || r.outcome === filter);
  return (
    <div class="page">
      <h1>
        Run of <a href={`#/editor/${log.flow}`}>{log.flow}</a> <Badge status={log.status} />
        {log.dry_run && <span class="muted"> dry run</span>}
      </h1>
      <p class="muted">
        {when(log.created_at)} · {log.trigger} · {countsText(log.counts)}
        {log.error && <span class="bad"> · {log.error}</span>}
      </p>
      <label class="inline">
        Outcome{" "}
        <select value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
          <option value="">all ({log.records.length})</option>
          {outcomes.map((o) => (
            <option key={o} value={o}>
              {o} ({log.records.filter((r) => r.outcome === o).length})
            </option>
          ))}
        </select>
      </label>
      {shown.length === 0 ? (
        <Empty title="No records in this run" />
      ) : (
        <ul class="records" aria-label="Records of the run">
          {shown.map((r) => (
            <li key={r.id} data-testid="log-record">
              <details>
                <summary>
                  <span class="where">#{r.seq}</span> <Badge status={r.outcome} /> source {r.source_id ?? "—"}
                  {r.reason && <span class="muted"> — {r.reason}</span>}
                  {r.replay_of && <span class="muted"> (replay of record {r.replay_of})</span>}
                </summary>
                <div class="record-detail">
                  <section>
                    <h3>Source</h3>
                    <Json value={r.source} />
                  </section>
                  <section>
                    <h3>Mapped</h3>
                    <Json value={r.mapped} />
                  </section>
                  <section class="wide">
                    <h3>Sent and answered</h3>
                    {r.operations.length === 0 && <span class="muted">nothing sent</span>}
                    {r.operations.map((op, i) => (
                      <div key={i} class="op">
                        <strong>
                          {op.operation} · {op.action}
                        </strong>
                        {op.diff && (
                          <>
                            <h4>Changed fields</h4>
                            <Json value={op.diff} />
                          </>
                        )}
                        <h4>Request</h4>
                        <Json value={op.request} />
                        <h4>Response</h4>
                        <Json value={op.response} />
                      </div>
                    ))}
                  </section>
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ParkedPage() {
  const [records, setRecords] = useState<(RecordLog & { flow?: string })[]>([]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [editing, setEditing] = useState<{ id: number; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    get<RecordLog[]>("/api/v1/parked")
      .then((r) => setRecords(r.filter((x) => x.parked_state === "open")))
      .catch((e) => setError(describe(e)));
  useEffect(() => {
    load();
  }, []);

  async function saveEdit() {
    if (!editing) return;
    let source: unknown;
    try {
      source = JSON.parse(editing.text);
    } catch (e) {
      setError(`The record is not valid JSON: ${(e as Error).message}`);
      return;
    }
    try {
      await put(`/api/v1/parked/${editing.id}`, { source });
      setMessage(`Record ${editing.id} saved; replay it to send it again.`);
      setError(null);
      setEditing(null);
      await load();
    } catch (e) {
      setError(describe(e));
    }
  }

  async function replay(ids: number[]) {
    setBusy(true);
    setError(null);
    try {
      const answer = await post<{ runs: Run[] }>("/api/v1/parked/replay", { ids, wait_seconds: 30 });
      const runs = await Promise.all(answer.runs.map((r) => waitForRun(r.id, 60)));
      setMessage(
        runs.map((r) => `Replay of ${r.flow}: ${r.status}, ${countsText(r.counts)}`).join("; "),
      );
      setSelected(new Set());
      await load();
      if (runs.length === 1) location.hash = `#/runs/${runs[0].id}`;
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  return (
    <div class="page">
      <h1>Parked records</h1>
      <ErrorBox error={error} />
      {message && (
        <div class="note" role="status">
          {message}
        </div>
      )}
      {records.length === 0 ? (
        <Empty title="Nothing is parked">Records a flow cannot send yet wait here for a fix.</Empty>
      ) : (
        <>
          <div class="row">
            <button type="button" disabled={!selected.size || busy} onClick={() => replay([...selected])}>
              Replay selected ({selected.size})
            </button>
          </div>
          <ul class="records" aria-label="Parked records">
            {records.map((r) => (
              <li key={r.id} data-testid="parked-record">
                <div class="parked-head">
                  <input
                    type="checkbox"
                    aria-label={`select record ${r.id}`}
                    checked={selected.has(r.id)}
                    onChange={() => toggle(r.id)}
                  />
                  <strong>{(r as any).flow ?? ""}</strong> record {r.id} · source {r.source_id}
                  <span class="reason">{r.reason}</span>
                  <span class="spacer" />
                  <button type="button" onClick={() => setEditing({ id: r.id, text: JSON.stringify(r.source, null, 2) })}>
                    Edit
                  </button>
                  <button type="button" disabled={busy} onClick={() => replay([r.id])}>
                    Replay
                  </button>
                </div>
                {editing?.id === r.id && (
                  <div class="edit">
                    <label class="field">
                      <span class="field-label">Source record {r.id} (JSON)</span>
                      <textarea
                        class="code"
                        rows={12}
                        spellcheck={false}
                        value={editing.text}
                        onInput={(e) => setEditing({ id: r.id, text: (e.target as HTMLTextAreaElement).value })}
                      />
                    </label>
                    <div class="row">
                      <button type="button" class="primary" onClick={saveEdit}>
                        Save record
                      </button>
                      <button type="button" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </div>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
