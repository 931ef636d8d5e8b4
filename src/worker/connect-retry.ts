/**
 * Asking the owner for a session, until it answers. A connect request posted before the owner
 * called `exposeClient` is lost (a `Worker` drops messages nobody listens to), so the request is
 * repeated — after 100 ms, then twice as long each time, up to a second apart — by the session's
 * watch (see `session-watch.ts`), which also gives up once `connectTimeout` passes. Answers to
 * the repeats that come after the first are let go.
 * @module
 */
import type { SessionInfo, WorkerMessage } from "./protocol.ts";

/** The first repeat of an unanswered connect request, ms; each next waits twice as long, up to {@link CONNECT_RETRY_MAX_MS}. */
const CONNECT_RETRY_MS = 100;
const CONNECT_RETRY_MAX_MS = 1_000;

/**
 * What the owner answers a connect request with.
 *
 * @example
 * ```ts
 * const connect = (): Promise<Connected> => ownerApi.connect();
 * ```
 */
export type Connected = { port: MessagePort; info: SessionInfo };

/**
 * The connect requests of one session, and when the next is due.
 *
 * @example
 * ```ts
 * const requests = new ConnectRetry(() => ownerApi.connect(), attach, giveUp);
 * requests.send();
 * setTimeout(() => requests.send(), requests.due - Date.now()); // if nothing answered by then
 * ```
 */
export class ConnectRetry {
  /** When to repeat the request (`Date.now()` ms), should none be answered by then. */
  #due = 0;
  /** How long to wait after the next request. */
  #delay = CONNECT_RETRY_MS;
  readonly #connect: () => Promise<Connected>;
  readonly #answered: (connected: Connected) => void;
  readonly #refused: (err: unknown) => void;

  /** `answered` hears each answer (the first, and any to a repeat); `refused` each refusal. */
  constructor(connect: () => Promise<Connected>, answered: (connected: Connected) => void, refused: (err: unknown) => void) {
    this.#connect = connect;
    this.#answered = answered;
    this.#refused = refused;
  }

  /** When the next request is due, `Date.now()` ms. */
  get due(): number {
    return this.#due;
  }

  /** Ask the owner for a session, and schedule the next request should this one go unanswered. */
  send(): void {
    this.#connect().then(this.#answered, this.#refused);
    this.#due = Date.now() + this.#delay;
    this.#delay = Math.min(this.#delay * 2, CONNECT_RETRY_MAX_MS);
  }
}

/**
 * Let go of a session not wanted: an answer to a repeated request, or one that came after the
 * client closed. The owner then lets that session go.
 *
 * @example
 * ```ts
 * if (alreadyConnected) declineSession(port);
 * ```
 */
export function declineSession(port: MessagePort): void {
  port.postMessage({ kind: "bye" } satisfies WorkerMessage);
  port.close();
}
