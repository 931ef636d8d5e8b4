/**
 * `PUBSUB` introspection: which channels have subscribers, and how many. (Publishing is in
 * server.ts; subscribing is `subscribe()`/`psubscribe()`/`ssubscribe()` on the client.)
 * @module
 */
import type { RespValue } from "../../resp/types.ts";
import { fields, texts, toNumber } from "../replies.ts";
import { parsed, raw, type Cmd } from "../spec.ts";

const toCounts = (reply: RespValue): Record<string, number> => fields(reply, toNumber);

/** Pub/sub introspection command table. */
export const pubsubInfoCommands = {
  /** `PUBSUB CHANNELS [pattern]` → channels with at least one subscriber (patterns excluded). */
  pubsubChannels: (pattern?: string): Cmd<string[]> =>
    parsed(pattern === undefined ? ["PUBSUB", "CHANNELS"] : ["PUBSUB", "CHANNELS", pattern], texts),
  /** `PUBSUB NUMPAT` → how many pattern subscriptions exist. */
  pubsubNumpat: (): Cmd<number> => raw(["PUBSUB", "NUMPAT"]),
  /** `PUBSUB NUMSUB [channel...]` → subscribers per channel, as a null-prototype object. */
  pubsubNumsub: (...channels: string[]): Cmd<Record<string, number>> => parsed(["PUBSUB", "NUMSUB", ...channels], toCounts),
  /** `PUBSUB SHARDCHANNELS [pattern]` → shard channels with at least one subscriber. */
  pubsubShardchannels: (pattern?: string): Cmd<string[]> =>
    parsed(pattern === undefined ? ["PUBSUB", "SHARDCHANNELS"] : ["PUBSUB", "SHARDCHANNELS", pattern], texts),
  /** `PUBSUB SHARDNUMSUB [shardchannel...]` → subscribers per shard channel. */
  pubsubShardnumsub: (...channels: string[]): Cmd<Record<string, number>> => parsed(["PUBSUB", "SHARDNUMSUB", ...channels], toCounts),
};
