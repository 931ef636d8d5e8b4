/**
 * Types that turn the command table into each surface's methods while keeping overloads: a spec
 * such as `set` has one signature per reply type (`{ get: true }` → the old value, otherwise
 * `"OK" | null`), and `Parameters<F>`/`ReturnType<F>` would keep only the last of them. Type-only
 * module: nothing here exists at run time.
 * @module
 */
import type { Cmd } from "./spec.ts";

/** Whether two types are the same (not merely assignable to each other). */
type Same<X, Y> = (<G>() => G extends X ? 1 : 2) extends <G>() => G extends Y ? 1 : 2 ? true : false;

/**
 * How a surface reads string replies: as strings, as bytes (`decode: "bytes"`,
 * `with({ bytes: true })`), or either (the mode known only at run time).
 */
export type ReplyMode = "string" | "bytes" | "either";

/** The reply `R` (string mode) or `B` (bytes mode) a surface of mode `M` resolves to. */
export type ModeReply<R, B, M extends ReplyMode> = M extends "bytes" ? B : M extends "either" ? R | B : R;

/** What a bulk string that is data comes as on a surface of mode `M`. */
export type ModeString<M extends ReplyMode> = ModeReply<string, Uint8Array, M>;

/**
 * The call signatures of a command spec as `[arguments, reply, bytes-mode reply]` triples, up to
 * three overloads, without repeats (TypeScript infers a function with fewer overloads by repeating
 * its first one).
 */
export type Signatures<F> = F extends {
  (...args: infer A1): Cmd<infer R1, infer B1>;
  (...args: infer A2): Cmd<infer R2, infer B2>;
  (...args: infer A3): Cmd<infer R3, infer B3>;
}
  ? Same<[A1, R1, B1], [A3, R3, B3]> extends true
    ? [[A1, R1, B1]]
    : Same<[A1, R1, B1], [A2, R2, B2]> extends true
      ? [[A1, R1, B1], [A3, R3, B3]]
      : [[A1, R1, B1], [A2, R2, B2], [A3, R3, B3]]
  : never;

/** The reply type of a command spec (the union over its overloads). */
export type ReplyOf<F> = Signatures<F>[number][1];

/** The reply type of a command spec in bytes mode (the union over its overloads). */
export type BytesReplyOf<F> = Signatures<F>[number][2];

/** A command spec as a method returning a promise of its reply in mode `M`, overloads kept. */
export type PromiseMethod<F, M extends ReplyMode = "string"> =
  Signatures<F> extends [[infer A extends unknown[], infer R, infer B]]
    ? (...args: A) => Promise<ModeReply<R, B, M>>
    : Signatures<F> extends [[infer A1 extends unknown[], infer R1, infer B1], [infer A2 extends unknown[], infer R2, infer B2]]
      ? ((...args: A1) => Promise<ModeReply<R1, B1, M>>) & ((...args: A2) => Promise<ModeReply<R2, B2, M>>)
      : Signatures<F> extends [
            [infer A1 extends unknown[], infer R1, infer B1],
            [infer A2 extends unknown[], infer R2, infer B2],
            [infer A3 extends unknown[], infer R3, infer B3],
          ]
        ? ((...args: A1) => Promise<ModeReply<R1, B1, M>>) & ((...args: A2) => Promise<ModeReply<R2, B2, M>>) & ((...args: A3) => Promise<ModeReply<R3, B3, M>>)
        : never;

/**
 * At most one of the keys `K` of `T` may be given (the others are `never`): options that exclude
 * each other, such as `set`'s `ex` and `px`, or `nx` and `xx`.
 *
 * @example
 * ```ts
 * type Condition = AtMostOne<{ nx?: boolean; xx?: boolean }, "nx" | "xx">;
 * const ok: Condition = { nx: true };
 * // @ts-expect-error nx and xx exclude each other
 * const bad: Condition = { nx: true, xx: true };
 * ```
 */
export type AtMostOne<T, K extends keyof T> = { [P in K]: Pick<T, P> & { [Q in Exclude<K, P>]?: never } }[K];
