/**
 * A command hook that makes a span per command and records `db.client.operation.duration`.
 * @module
 */
import { type Attributes, type Histogram, type Span, SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import type { CommandEnd, CommandStart, Hooks } from "../conn/hooks.ts";
import type { Arg } from "../resp/types.ts";
import { DB_OPERATION_BATCH_SIZE, DB_OPERATION_NAME, DB_QUERY_TEXT, errorAttributes, queryText } from "./attributes.ts";

/** What the command hook needs: where spans and durations go, and the attributes every command shares. */
export interface CommandTelemetry {
  /** The tracer to start spans with, or `undefined` while there is none (no SDK registered yet). */
  tracer: () => Tracer | undefined;
  /** `undefined` when the meter is the API's no-op one (no SDK registered): nothing would keep a duration. */
  duration: Histogram | undefined;
  server: Attributes;
  /** `db.query.text` of a command, or `undefined` to leave it out (the default: arguments may be personal data). */
  query: ((args: readonly Arg[]) => string) | undefined;
}

/**
 * The command hook: a span of kind CLIENT named by the operation, started under the caller's
 * active context (the hook runs synchronously inside the call), ended when the command settles;
 * its duration recorded in seconds. Attributes are built once per operation name. When the span
 * records nothing (no SDK, or sampled out) and no meter keeps durations, the hook asks to hear
 * nothing more of the command: resplex then reads no clock for it.
 */
export function commandHook(t: CommandTelemetry): NonNullable<Hooks["command"]> {
  const byName = new Map<string, Attributes>();
  const attributesOf = (name: string): Attributes => {
    let attributes = byName.get(name);
    if (!attributes) {
      attributes = { ...t.server, [DB_OPERATION_NAME]: name };
      // Command names come from callers; a bounded cache keeps a stream of odd names from growing it.
      if (byName.size < 1_000) byName.set(name, attributes);
    }
    return attributes;
  };
  return (start: CommandStart) => {
    const attributes = attributesOf(start.name);
    const span = t.tracer()?.startSpan(start.name, { kind: SpanKind.CLIENT, attributes: spanAttributes(attributes, start, t.query) });
    const recording = span !== undefined && span.isRecording();
    if (!recording && !t.duration) return undefined;
    return (end: CommandEnd) => {
      if (!end.error) {
        if (recording) span!.end();
        t.duration?.record(end.durationMs / 1000, attributes);
        return;
      }
      const failure = errorAttributes(end.error);
      if (recording) endFailed(span!, end.error, failure);
      t.duration?.record(end.durationMs / 1000, { ...attributes, ...failure });
    };
  };
}

/**
 * A span's attributes: the operation's, plus a transaction's size (never 1, as the conventions
 * say; the duration histogram leaves it out, it would multiply its series) and the query text.
 */
function spanAttributes(attributes: Attributes, start: CommandStart, query: CommandTelemetry["query"]): Attributes {
  const batch = start.batchSize !== undefined && start.batchSize > 1;
  if (!batch && !query) return attributes;
  const out = { ...attributes };
  if (batch) out[DB_OPERATION_BATCH_SIZE] = start.batchSize;
  if (query) out[DB_QUERY_TEXT] = query(start.args);
  return out;
}

function endFailed(span: Span, error: Error, failure: Attributes): void {
  span.setAttributes(failure);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
}

/** The `queryText` option as a function, or `undefined` when off. */
export function queryFormatter(option: boolean | ((args: readonly Arg[]) => string) | undefined): CommandTelemetry["query"] {
  if (typeof option === "function") return option;
  return option ? queryText : undefined;
}
