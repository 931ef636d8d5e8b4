/**
 * Access control lists: users, their rules, and the log of refused commands. `ACL SETUSER`'s
 * password rules (`>pw`, `#hash`) are redacted from hooks and traces by the command table.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { parseClientInfo, type ClientInfo } from "./client.ts";
import { fields, list, text, texts, toNumber, toOk } from "../replies.ts";
import { parsed, raw, type Cmd } from "../spec.ts";

/** The permissions of a selector (Redis 7) or of the user's root rules. */
export interface AclPermissions {
  /** e.g. `"-@all +get"`. */
  commands: string;
  /** Key patterns, e.g. `"~k* %R~r*"`. */
  keys: string;
  /** Channel patterns, e.g. `"&*"`. */
  channels: string;
}

/** A user as `ACL GETUSER` describes it. */
export interface AclUser extends AclPermissions {
  /** `on`/`off`, `nopass`, `skip-sanitize-payload`, ... */
  flags: string[];
  /** SHA-256 hashes of the user's passwords. */
  passwords: string[];
  selectors: AclPermissions[];
}

/** One entry of `ACL LOG`: a refused command or a failed authentication. */
export interface AclLogEntry {
  count: number;
  /** `command`, `key`, `channel` or `auth`. */
  reason: string;
  /** `toplevel`, `multi`, `lua` or `module`. */
  context: string;
  /** The command, key or channel refused. */
  object: string;
  username: string;
  ageSeconds: number;
  clientInfo: ClientInfo;
}

/** What `aclDryrun` decided: allowed, or refused and why. */
export type AclDryrunResult = { allowed: true } | { allowed: false; reason: string };


function toPermissions(f: Record<string, RespValue>): AclPermissions {
  return { commands: text(f.commands), keys: text(f.keys), channels: text(f.channels) };
}

function toUser(reply: RespValue): AclUser | null {
  if (reply === null) return null;
  const f = fields(reply, (v) => v);
  return {
    flags: texts(f.flags!),
    passwords: texts(f.passwords!),
    ...toPermissions(f),
    selectors: list(f.selectors).map((s) => toPermissions(fields(s, (v) => v))),
  };
}

function toLogEntry(reply: RespValue): AclLogEntry {
  const f = fields(reply, (v) => v);
  return {
    count: toNumber(f.count),
    reason: text(f.reason),
    context: text(f.context),
    object: text(f.object),
    username: text(f.username),
    ageSeconds: toNumber(f["age-seconds"]),
    clientInfo: parseClientInfo(text(f["client-info"])),
  };
}

/** ACL command table. */
export const aclCommands = {
  /** `ACL CAT [category]` → the categories, or the commands of one. */
  aclCat: (category?: string): Cmd<string[]> => parsed(category === undefined ? ["ACL", "CAT"] : ["ACL", "CAT", category], texts),
  /**
   * `ACL SETUSER username rule...`: create or change a user.
   *
   * @example
   * ```ts
   * await redis.aclSetuser("reader", "on", ">secret", "~cache:*", "+@read");
   * ```
   */
  aclSetuser: (username: string, ...rules: string[]): Cmd<"OK"> => parsed(["ACL", "SETUSER", username, ...rules], toOk),
  /** `ACL GETUSER username` → the user's rules, or `null` when there is no such user. */
  aclGetuser: (username: string): Cmd<AclUser | null> => parsed(["ACL", "GETUSER", username], toUser),
  /** `ACL DELUSER username...` → how many users were deleted. */
  aclDeluser: (...usernames: string[]): Cmd<number> => {
    if (usernames.length === 0) throw new TypeError("aclDeluser: give at least one user");
    return raw(["ACL", "DELUSER", ...usernames]);
  },
  /** `ACL USERS` → every user name. */
  aclUsers: (): Cmd<string[]> => parsed(["ACL", "USERS"], texts),
  /** `ACL LIST` → every user's rules, one line each, as an ACL file writes them. */
  aclList: (): Cmd<string[]> => parsed(["ACL", "LIST"], texts),
  /** `ACL WHOAMI` → the user this connection is authenticated as. */
  aclWhoami: (): Cmd<string> => parsed(["ACL", "WHOAMI"], text),
  /** `ACL GENPASS [bits]` → a random password (256 bits, as hex, by default). */
  aclGenpass: (bits?: number): Cmd<string> => parsed(bits === undefined ? ["ACL", "GENPASS"] : ["ACL", "GENPASS", bits], text),
  /** `ACL DRYRUN username command arg...` → whether the user may run the command, and if not why. */
  aclDryrun: (username: string, command: readonly Arg[]): Cmd<AclDryrunResult> =>
    parsed(["ACL", "DRYRUN", username, ...command], (r) => {
      const answer = text(r);
      return answer === "OK" ? { allowed: true } : { allowed: false, reason: answer };
    }),
  /** `ACL LOG [count]` → the latest refusals, newest first. */
  aclLog: (count?: number): Cmd<AclLogEntry[]> =>
    parsed(count === undefined ? ["ACL", "LOG"] : ["ACL", "LOG", count], (r) => list(r).map(toLogEntry)),
  /** `ACL LOG RESET`: clear the log. */
  aclLogReset: (): Cmd<"OK"> => parsed(["ACL", "LOG", "RESET"], toOk),
  /** `ACL LOAD`: reload users from the ACL file. */
  aclLoad: (): Cmd<"OK"> => parsed(["ACL", "LOAD"], toOk),
  /** `ACL SAVE`: write users to the ACL file. */
  aclSave: (): Cmd<"OK"> => parsed(["ACL", "SAVE"], toOk),
};
