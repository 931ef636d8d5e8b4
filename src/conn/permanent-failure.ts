/**
 * Which connection failures waiting cannot fix. A refused or reset connection, a timeout, a server
 * still loading its data: those pass, and a command may wait for the next attempt. A certificate
 * the client does not trust, credentials the server rejects, a user without permission for the
 * handshake, a host name that does not exist: those stay until someone changes a setting, so the
 * commands waiting for a connection are better told at once than after their timeout.
 * @module
 */
import { RedisError } from "../errors.ts";

/** Server replies to the handshake that mean "wrong credentials or permissions". */
const REFUSED_REPLY_CODES = new Set(["WRONGPASS", "NOAUTH", "NOPERM"]);
/**
 * `ERR` replies that mean the same: a password sent to a server that has none (Redis 6+, and
 * before 6), a wrong password before Redis 6, `HELLO` on a server older than Redis 6.
 */
const REFUSED_REPLY_TEXT = /^ERR (AUTH .*without any password configured|Client sent AUTH, but no password is set|invalid password|unknown command .HELLO.)/;
/** System codes: an unknown host (getaddrinfo's EAI_NONAME, as Node and Bun name it). */
const SYSTEM_CODES = new Set(["ENOTFOUND"]);
/** TLS certificate verification failures, as OpenSSL (Node, Bun) names them. */
const CERTIFICATE_CODE = /^(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE|GET_CRL|DECRYPT_CERT_SIGNATURE|DECODE_ISSUER_PUBLIC_KEY)|CERT_[A-Z_]+|INVALID_CA|HOSTNAME_MISMATCH)$/;

/**
 * Whether `err`, the failure of a connection attempt, is one only a change of settings can fix
 * (see the module doc). Looks through `cause`s, where transports keep the system error.
 *
 * @example
 * ```ts
 * isPermanentFailure(new RedisError("WRONGPASS invalid username-password pair")); // true
 * isPermanentFailure(new ConnectionError("could not connect", { cause: refusedSocketError })); // false
 * ```
 */
export function isPermanentFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof RedisError) return REFUSED_REPLY_CODES.has(e.code) || REFUSED_REPLY_TEXT.test(e.message);
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (SYSTEM_CODES.has(code) || CERTIFICATE_CODE.test(code))) return true;
  }
  return false;
}
