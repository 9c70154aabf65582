// The REST client of the studio: every call carries the API key from sessionStorage and
// turns failures into ApiError with a message a person can act on.

const KEY = "mapwright.apiKey";

export class ApiError extends Error {
  status: number;
  errors: { loc: string; msg: string }[];
  constructor(status: number, message: string, errors: { loc: string; msg: string }[] = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

type Listener = (problem: "unauthorized" | "unreachable" | null) => void;
const listeners = new Set<Listener>();

/** Be told when the key is refused (401) or the server does not answer. */
export function onConnectionProblem(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function tell(problem: "unauthorized" | "unreachable" | null) {
  listeners.forEach((l) => l(problem));
}

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string | null) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export async function call<T = any>(
  method: string,
  path: string,
  body?: unknown,
  options: { key?: string; quiet?: boolean } = {},
): Promise<T> {
  const key = options.key ?? apiKey();
  const headers: Record<string, string> = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      if (!options.quiet) tell("unreachable");
      throw new ApiError(0, "The server does not answer. Is 'mapwright serve' running?");
    }
    // script jobs are limited per tenant: lint, preview and tests may meet; wait and retry
    if ((response.status !== 429 && response.status !== 503) || attempt >= 4) break;
    const wait = Math.min(2, Number(response.headers.get("Retry-After") || "0.3")) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(200, wait)));
  }
  if (!options.quiet) tell(null);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  if (!response.ok) {
    if (response.status === 401 && !options.quiet) tell("unauthorized");
    const detail = data?.detail ?? `${response.status} ${response.statusText}`;
    const errors = Array.isArray(data?.errors) ? data.errors : [];
    const message = typeof detail === "string" ? detail : JSON.stringify(detail);
    throw new ApiError(response.status, message, errors);
  }
  return data as T;
}

export const get = <T = any>(path: string) => call<T>("GET", path);
export const post = <T = any>(path: string, body?: unknown) => call<T>("POST", path, body ?? {});
export const put = <T = any>(path: string, body?: unknown) => call<T>("PUT", path, body ?? {});
export const patch = <T = any>(path: string, body?: unknown) => call<T>("PATCH", path, body ?? {});
export const del = <T = any>(path: string) => call<T>("DELETE", path);

/** The message of an error, with its field errors ("settings.x: expected text"). */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${e.loc}: ${e.msg}`).join("; ");
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return String(error);
}

// ---- the shapes the studio reads -------------------------------------------------------
export interface Diagnostic {
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  severity: "error" | "warning";
  message: string;
}

export interface SettingSpec {
  name: string;
  type: string;
  default?: unknown;
  required?: boolean;
  choices?: string[];
  help?: string;
  refers?: string;
}

export interface Flow {
  name: string;
  version: number;
  enabled: boolean;
  script: string;
  settings: Record<string, unknown>;
  settings_schema: Record<string, SettingSpec>;
  connections: Record<string, string>;
  source: string[] | null;
  target: string | null;
  origin: Record<string, unknown>;
  schedule: { interval_seconds?: number | null; cron?: string | null } | null;
  next_run_at: string | null;
  paused_reason: string | null;
}

export interface Run {
  id: string;
  flow: string;
  status: string;
  dry_run: boolean;
  trigger: string;
  counts: Record<string, number>;
  error: string | null;
  flow_version: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface RecordLog {
  id: number;
  seq: number;
  source_id: string | null;
  outcome: string;
  reason: string | null;
  parked_state: string | null;
  replay_of: number | null;
  source: any;
  mapped: any;
  operations: any[];
  payload_stored: boolean;
}

export interface FunctionDoc {
  name: string;
  signature: string;
  summary: string;
  doc: string;
  category: string;
  examples: { call: string; result: string }[];
}

export interface Language {
  keywords: Record<string, string[]>;
  functions: FunctionDoc[];
  setting_types: string[];
}

export interface FieldDoc {
  name: string;
  type: string;
  verbs: string;
}

export interface ObjectDoc {
  where: string;
  description: string;
  find_keys: string[];
  required: string[];
  fields: FieldDoc[];
  lines: string | null;
  line_fields: FieldDoc[];
}

export interface Catalogue {
  kind: string;
  title: string;
  objects: Record<string, ObjectDoc>;
}

export const TERMINAL = new Set(["succeeded", "partial", "failed", "cancelled"]);

/** Wait for a run to end (polling), up to ``seconds``. */
export async function waitForRun(id: string, seconds = 60): Promise<Run> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const run = await get<Run>(`/api/v1/runs/${id}`);
    if (TERMINAL.has(run.status) || Date.now() > deadline) return run;
    await new Promise((r) => setTimeout(r, 400));
  }
}
