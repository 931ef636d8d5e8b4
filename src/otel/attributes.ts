/**
 * The database semantic conventions' attribute names and values resplex's telemetry uses, and how
 * a command, an error and a server become attributes.
 * See https://opentelemetry.io/docs/specs/semconv/database/redis/.
 * @module
 */
import type { Attributes } from "@opentelemetry/api";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import { RedisError } from "../errors.ts";
import type { Arg } from "../resp/types.ts";

export const DB_SYSTEM_NAME = "db.system.name";
export const DB_OPERATION_NAME = "db.operation.name";
export const DB_OPERATION_BATCH_SIZE = "db.operation.batch.size";
export const DB_NAMESPACE = "db.namespace";
export const DB_QUERY_TEXT = "db.query.text";
export const DB_RESPONSE_STATUS_CODE = "db.response.status_code";
export const SERVER_ADDRESS = "server.address";
export const SERVER_PORT = "server.port";
export const ERROR_TYPE = "error.type";
export const POOL_NAME = "db.client.connection.pool.name";
export const CONNECTION_STATE = "db.client.connection.state";

/** Where the observed surface's commands go, as attributes (empty for a worker client: the owner knows). */
export function serverAttributes(connection: ResolvedConnectionOptions | undefined): Attributes {
  const out: Attributes = { [DB_SYSTEM_NAME]: "redis" };
  if (!connection) return out;
  out[DB_NAMESPACE] = String(connection.db);
  if (connection.path) out[SERVER_ADDRESS] = connection.path;
  else {
    out[SERVER_ADDRESS] = connection.host;
    out[SERVER_PORT] = connection.port;
  }
  return out;
}

/**
 * The pool's name when none is given: `server.address:server.port/db.namespace`, as the
 * conventions suggest for pools without a name of their own.
 */
export function defaultPoolName(connection: ResolvedConnectionOptions): string {
  return connection.path ? `${connection.path}/${connection.db}` : `${connection.host}:${connection.port}/${connection.db}`;
}

/**
 * `error.type` (and, for a server error reply, `db.response.status_code`) of a failed command:
 * a `RedisError`'s prefix (`WRONGTYPE`), a resplex error's code (`RESPLEX_TIMEOUT`), else its name.
 */
export function errorAttributes(error: Error): Attributes {
  const code = (error as { code?: unknown }).code;
  const type = typeof code === "string" && code ? code : error.name || "Error";
  return error instanceof RedisError ? { [ERROR_TYPE]: type, [DB_RESPONSE_STATUS_CODE]: type } : { [ERROR_TYPE]: type };
}

/** Longest text one argument contributes to `db.query.text`; values can be megabytes. */
const MAX_ARG_TEXT = 256;

/**
 * `db.query.text` of a command: its arguments as the hooks show them (secrets redacted by the
 * command table), separated by spaces; binary arguments as `<N bytes>`, long ones cut.
 */
export function queryText(args: readonly Arg[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const text = arg instanceof Uint8Array ? `<${arg.byteLength} bytes>` : String(arg);
    out += (i > 0 ? " " : "") + (text.length > MAX_ARG_TEXT ? `${text.slice(0, MAX_ARG_TEXT)}…` : text);
  }
  return out;
}
