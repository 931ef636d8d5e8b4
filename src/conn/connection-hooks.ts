/**
 * What a connection tells its owner (the multiplexer, a pool, a locator), and the commands it may
 * hand back. Kept apart from `connection.ts` because it is the contract every owner codes
 * against, while the connection's write and read paths are its own business; `connection.ts`
 * re-exports both types, so owners import them beside `Connection`.
 * @module
 */
import type { RedisError } from "../errors.ts";
import type { RespValue } from "../resp/types.ts";
import type { Command } from "./command.ts";
import type { RawCommand } from "./raw-command.ts";

/**
 * A command on a connection: one whose reply is decoded, or one whose reply is forwarded as bytes.
 *
 * @example
 * ```ts
 * const onClose = (err: Error | undefined, unwritten: WireCommand[]) => unwritten.forEach((cmd) => retry(cmd));
 * ```
 */
export type WireCommand = Command | RawCommand;

/**
 * Callbacks a connection's owner receives.
 *
 * @example
 * ```ts
 * const hooks: ConnectionHooks = {
 *   onPush: (value) => subscriber.dispatch(value),
 *   onClose: (err, unwritten) => requeue(unwritten),
 * };
 * ```
 */
export interface ConnectionHooks {
  /** The socket is connected; the handshake is about to run. */
  onConnect?(): void;
  /** A RESP3 push (pub/sub message, invalidation, ...), or a reply that `isPush` claimed. */
  onPush?(value: RespValue[]): void;
  /**
   * Claim a reply as a push instead of a command's reply. On RESP2 a subscribed connection
   * receives messages as plain arrays; the subscriber uses this to tell them apart.
   */
  isPush?(value: RespValue): value is RespValue[];
  /**
   * How many callers the owner has answered without a command so far (its cache's hits). Such a
   * caller goes on and may send a command a round or two later, so a waiting flush counts a
   * microtask round that answered some as busy, not quiet (see `#scheduleFlush` in
   * connection.ts): otherwise callers answered from the cache one after another look like quiet
   * rounds, and their next commands leave in several small socket writes instead of one.
   */
  callersServed?(): number;
  /**
   * A reply arrived while no command waits for one. Return `true` to take it: a subscriber takes
   * the error replies to its (un)subscribe commands, which it writes without a command to answer.
   * Otherwise such a reply poisons the connection.
   */
  onUnmatchedReply?(value: RespValue): boolean;
  /**
   * A command got an error reply (already settled with it): the owner may take it as a sign that
   * this connection goes to the wrong node (`READONLY` after a failover) and replace it.
   */
  onErrorReply?(error: RedisError): void;
  /**
   * The connection is closed. Commands it had written are already rejected; `unwritten` holds the
   * ones it never handed to the socket, in order, so the owner may queue them elsewhere (they
   * cannot have run). Without this hook they are rejected too.
   */
  onClose?(err: Error | undefined, unwritten: WireCommand[]): void;
}
