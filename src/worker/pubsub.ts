/**
 * Pub/sub messages between threads travel on a port of their own, apart from command replies, so
 * a busy channel never delays a reply and replies never delay messages. The worker creates the
 * port and hands one end to the owner with its first subscription.
 * @module
 */
import type { MessageListener } from "../mux/subscriber.ts";
import { toPort, type Endpoint, type Port } from "./endpoint.ts";
import type { PubSubMessage } from "./protocol.ts";
import { TickFlush } from "./tick.ts";

/**
 * Owner side: forwards the messages of one worker's subscriptions, batched per tick. Payloads are
 * cloned, never transferred: the same message object also goes to the owner's other listeners.
 *
 * @example
 * ```ts
 * const sender = new PubSubSender(portFromWorker);
 * sender.deliver(7, "hello", "news"); // reaches the worker's listener of subscription 7
 * ```
 */
export class PubSubSender {
  readonly #port: MessagePort;
  readonly #out: Port;
  #messages: unknown[] = [];
  readonly #flush = new TickFlush(() => {
    this.#out.post({ messages: this.#messages } satisfies PubSubMessage);
    this.#messages.length = 0; // posting cloned the list, so it can be reused
  });

  constructor(port: MessagePort) {
    this.#port = port;
    this.#out = toPort(port as unknown as Endpoint);
  }

  /** Queue a message for the worker's subscription `id`. */
  deliver(id: number, message: string | Uint8Array, channel: string, pattern?: string): void {
    this.#messages.push(id, message, channel, pattern);
    this.#flush.schedule();
  }

  close(): void {
    this.#port.close();
  }
}

/**
 * Worker side: the listeners of this client's subscriptions, keyed by subscription id.
 *
 * @example
 * ```ts
 * const receiver = new PubSubReceiver();
 * receiver.add(7, (message, channel) => console.log(channel, message));
 * const port = receiver.handOff(); // send it to the owner with the first subscription
 * ```
 */
export class PubSubReceiver {
  readonly #listeners = new Map<number, MessageListener>();
  readonly #local: MessagePort;
  readonly #stop: () => void;
  #remote: MessagePort | undefined;

  constructor() {
    const channel = new MessageChannel();
    this.#local = channel.port1;
    this.#remote = channel.port2;
    this.#stop = toPort(this.#local as unknown as Endpoint).listen((data) => this.#receive(data as PubSubMessage));
  }

  /** The owner's end of the port, the first time only. */
  handOff(): MessagePort | undefined {
    const port = this.#remote;
    this.#remote = undefined;
    return port;
  }

  add(id: number, listener: MessageListener): void {
    this.#listeners.set(id, listener);
  }

  /** Whether `id` was still listening. */
  remove(id: number): boolean {
    return this.#listeners.delete(id);
  }

  close(): void {
    this.#stop();
    this.#local.close();
    this.#remote?.close();
    this.#listeners.clear();
  }

  #receive({ messages }: PubSubMessage): void {
    for (let i = 0; i < messages.length; i += 4) {
      const listener = this.#listeners.get(messages[i] as number);
      if (!listener) continue; // unsubscribed while the message was on its way
      const channel = messages[i + 2] as string;
      try {
        listener(messages[i + 1] as string | Uint8Array, channel, messages[i + 3] as string | undefined);
      } catch (err) {
        console.error(`resplex: a listener of channel "${channel}" threw`, err);
      }
    }
  }
}
