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
 * The call signatures of a command spec as `[arguments, reply]` pairs, up to three overloads,
 * without repeats (TypeScript infers a function with fewer overloads by repeating its first one).
 */
export type Signatures<F> = F extends {
  (...args: infer A1): Cmd<infer R1>;
  (...args: infer A2): Cmd<infer R2>;
  (...args: infer A3): Cmd<infer R3>;
}
  ? Same<[A1, R1], [A3, R3]> extends true
    ? [[A1, R1]]
    : Same<[A1, R1], [A2, R2]> extends true
      ? [[A1, R1], [A3, R3]]
      : [[A1, R1], [A2, R2], [A3, R3]]
  : never;

/** The reply type of a command spec (the union over its overloads). */
export type ReplyOf<F> = Signatures<F>[number][1];

/** A command spec as a method returning a promise of its reply, overloads kept. */
export type PromiseMethod<F> =
  Signatures<F> extends [[infer A extends unknown[], infer R]]
    ? (...args: A) => Promise<R>
    : Signatures<F> extends [[infer A1 extends unknown[], infer R1], [infer A2 extends unknown[], infer R2]]
      ? ((...args: A1) => Promise<R1>) & ((...args: A2) => Promise<R2>)
      : Signatures<F> extends [[infer A1 extends unknown[], infer R1], [infer A2 extends unknown[], infer R2], [infer A3 extends unknown[], infer R3]]
        ? ((...args: A1) => Promise<R1>) & ((...args: A2) => Promise<R2>) & ((...args: A3) => Promise<R3>)
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
