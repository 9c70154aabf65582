// Small shared pieces: status badges, JSON views, empty and error states, the runs chart
// and the per-flow sparkline (plain SVG, no chart library).

import { type ComponentChildren, cloneElement, isValidElement, type VNode } from "preact";
import { useState } from "preact/hooks";
import type { Run } from "./api";

export function Badge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty" role="status">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

export function ErrorBox({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <div class="error-box" role="alert">
      {error}
    </div>
  );
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre class="json" aria-label={label}>
      {value === undefined ? "—" : JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

/** Records that reached the target (or would have, in a dry run). */
export function sentOf(counts: Record<string, number>): number {
  return (counts.sent ?? 0) + (counts.planned ?? 0) + (counts.unchanged ?? 0);
}

export const SERIES: { key: string; label: string; pick: (c: Record<string, number>) => number }[] = [
  { key: "sent", label: "sent", pick: sentOf },
  { key: "skipped", label: "skipped", pick: (c) => c.skipped ?? 0 },
  { key: "parked", label: "parked", pick: (c) => c.parked ?? 0 },
  { key: "failed", label: "failed", pick: (c) => c.failed ?? 0 },
];

export function countsText(counts: Record<string, number>): string {
  return SERIES.map((s) => `${s.pick(counts)} ${s.label}`).join(" · ");
}

/** Stacked bars of sent / skipped / parked / failed per run, oldest left. */
export function RunsChart({ runs, onPick }: { runs: Run[]; onPick?: (run: Run) => void }) {
  const shown = [...runs].reverse().slice(-30);
  if (!shown.length) return <Empty title="No runs yet">Run the flow to see its history.</Empty>;
  const width = 640;
  const height = 160;
  const pad = 24;
  const max = Math.max(1, ...shown.map((r) => SERIES.reduce((n, s) => n + s.pick(r.counts), 0)));
  const bar = Math.min(28, (width - pad * 2) / shown.length - 4);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Records per run for the last ${shown.length} runs`}
      >
        <line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} class="axis" />
        <text x={4} y={pad} class="tick">
          {max}
        </text>
        <text x={4} y={height - pad} class="tick">
          0
        </text>
        {shown.map((run, i) => {
          let y = height - pad;
          const x = pad + 4 + i * ((width - pad * 2) / shown.length);
          return (
            <g
              key={run.id}
              class="bar"
              onClick={() => onPick?.(run)}
              tabIndex={onPick ? 0 : undefined}
              onKeyDown={(e) => e.key === "Enter" && onPick?.(run)}
            >
              <title>{`${when(run.created_at)}${run.dry_run ? " (dry run)" : ""}: ${countsText(run.counts)}`}</title>
              {SERIES.map((s) => {
                const h = (s.pick(run.counts) / max) * (height - pad * 2);
                y -= h;
                return h > 0 ? (
                  <rect x={x} y={y} width={bar} height={h} class={`series-${s.key}`} />
                ) : null;
              })}
              {run.dry_run && (
                <text x={x + bar / 2} y={height - 8} class="tick" text-anchor="middle">
                  dry
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {SERIES.map((s) => (
          <span key={s.key}>
            <i class={`swatch series-${s.key}`} /> {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** A tiny line of records sent per run (newest right). */
export function Sparkline({ runs }: { runs: Run[] }) {
  const values = [...runs].reverse().slice(-12).map((r) => sentOf(r.counts));
  if (values.length < 2) return <span class="muted">—</span>;
  const max = Math.max(1, ...values);
  const points = values
    .map((v, i) => `${(i / (values.length - 1)) * 80},${20 - (v / max) * 18 - 1}`)
    .join(" ");
  const failed = runs.slice(0, 12).some((r) => r.status === "failed");
  return (
    <svg class={`spark ${failed ? "spark-bad" : ""}`} viewBox="0 0 80 20" role="img" aria-label={`records sent in the last ${values.length} runs: ${values.join(", ")}`}>
      <polyline points={points} fill="none" />
    </svg>
  );
}

let fieldIds = 0;

/** A labelled control: the label names only the control (for=id), hint and error describe it. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  children: ComponentChildren;
}) {
  const [id] = useState(() => `field-${++fieldIds}`);
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  const control = isValidElement(children)
    ? cloneElement(children as VNode<any>, {
        id,
        "aria-describedby": described || undefined,
        "aria-invalid": error ? "true" : undefined,
      })
    : children;
  return (
    <div class={`field ${error ? "field-bad" : ""}`}>
      <label class="field-label" for={id}>
        {label}
      </label>
      {control}
      {hint && (
        <span class="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
