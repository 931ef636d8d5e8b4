/**
 * OpenTelemetry SDK pieces for tests: a tracer provider whose spans land in memory, a meter
 * provider whose metrics are collected on demand, and a synchronous context manager (resplex's
 * command hooks run synchronously inside the call, so a stack is all the tests need to check
 * that spans become children of the caller's active span).
 */
import { type Context, type ContextManager, ROOT_CONTEXT, context, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** Active context as a stack: `with()` pushes for the duration of a synchronous call. */
class StackContextManager implements ContextManager {
  #stack: Context[] = [];
  active(): Context {
    return this.#stack[this.#stack.length - 1] ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.#stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#stack = [];
    return this;
  }
}

/** Install the stack context manager globally (once per process); returns a function that removes it. */
export function useStackContext(): () => void {
  context.setGlobalContextManager(new StackContextManager());
  return () => context.disable();
}

/** A tracer provider with an in-memory exporter. */
export function memoryTracing(): { provider: BasicTracerProvider; spans: () => ReadableSpan[]; reset: () => void } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
}

/** A meter provider whose metrics `collect()` reads now. `shutdown()` stops its reader. */
export function memoryMetrics(): { provider: MeterProvider; collect: () => Promise<MetricData[]>; shutdown: () => Promise<void> } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when flushed: the tests decide when to look.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    collect: async () => {
      exporter.reset();
      await reader.forceFlush();
      return exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The metric named `name`, or a failure that lists those there are. */
export function metric(all: MetricData[], name: string): MetricData {
  const found = all.find((m) => m.descriptor.name === name);
  if (!found) throw new Error(`no metric ${name}; there are: ${all.map((m) => m.descriptor.name).join(", ")}`);
  return found;
}

/** Make a span the active one for a synchronous call. */
export function withSpan<T>(span: ReturnType<ReturnType<BasicTracerProvider["getTracer"]>["startSpan"]>, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}
