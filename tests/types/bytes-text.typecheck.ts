/**
 * The commands whose replies are text in bytes mode too, checked by `tsc -p .` (never run). Each
 * command's bytes-mode type comes from its spec (`Cmd<T, B>`); a spec built with `parsed()` says
 * "text in both modes". That is right for reports, names and IDs, and wrong for a parser that
 * passes data on: so the commands typed text-only are pinned here, and a new one fails this check
 * until it is added below — or, if its reply carries data, built with `data()` instead.
 */
import type { CommandSpecs } from "../../src/client/commands/index.ts";
import type { BytesReplyOf, ReplyOf } from "../../src/client/typing.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** Whether `X` and `Y` are the same type. */
type Equal<X, Y> = (<G>() => G extends X ? 1 : 2) extends <G>() => G extends Y ? 1 : 2 ? true : false;

/** Whether a reply has a `string` (not a fixed word such as "OK") somewhere; a `RespValue` admits bytes already. */
type HasText<T, Depth extends 0[] = []> = Depth["length"] extends 6
  ? false
  : [RespValue] extends [T]
    ? false
    : T extends string
      ? string extends T
        ? true
        : false
      : T extends Uint8Array | number | bigint | boolean | null | undefined
        ? false
        : T extends readonly (infer U)[]
          ? HasText<U, [...Depth, 0]>
          : T extends object
            ? HasText<T[keyof T], [...Depth, 0]>
            : false;

/** The typed commands whose replies have text and are the same in both modes. */
type TextOnlyCommands = {
  [K in keyof CommandSpecs]: true extends HasText<ReplyOf<CommandSpecs[K]>>
    ? Equal<ReplyOf<CommandSpecs[K]>, BytesReplyOf<CommandSpecs[K]>> extends true
      ? K
      : never
    : never;
}[keyof CommandSpecs];

/** Text by nature: reports, names, IDs, hashes, configuration. */
type Listed =
  | "info" | "lolwut" | "ping" | "type" | "objectEncoding" | "geohash" | "configGet"
  | "clientInfo" | "clientList" | "clientGetname" | "clientTrackinginfo"
  | "clusterBumpepoch" | "clusterInfo" | "clusterMyid" | "clusterNodes" | "clusterReplicas" | "clusterSlaves"
  | "clusterShards" | "clusterSlots" | "clusterLinks"
  | "commandList" | "commandInfo" | "commandDocs" | "commandGetkeys" | "commandGetkeysandflags"
  | "latencyLatest" | "latencyGraph" | "latencyDoctor" | "slowlogGet" | "memoryDoctor" | "memoryMallocStats"
  | "aclCat" | "aclGetuser" | "aclUsers" | "aclList" | "aclWhoami" | "aclGenpass" | "aclDryrun" | "aclLog"
  | "bgsave" | "bgrewriteaof" | "role" | "replicaof" | "slaveof" | "moduleList"
  | "pubsubChannels" | "pubsubShardchannels"
  | "scriptLoad" | "functionLoad" | "functionList" | "functionStats"
  | "xadd" | "xpending" | "xpendingRange" | "xclaimJustid" | "xautoclaimJustid" | "xinfoGroups" | "xinfoConsumers";

/** Fails to compile unless `T` is `never`; the error names what is left. */
function expectNever<T extends never>(): void {}

// A command typed text-only that is not listed: list it, or build it with data() if it returns data.
expectNever<Exclude<TextOnlyCommands, Listed>>();
// A listed command that is no longer text-only: take it off the list.
expectNever<Exclude<Listed, TextOnlyCommands>>();
