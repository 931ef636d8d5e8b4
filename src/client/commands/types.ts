/**
 * The option and reply types of the typed commands, for code that names them
 * (`import type { GeoSearchOptions, StreamInfo } from "resplex"`).
 * @module
 */
export type { AclPermissions, AclUser, AclLogEntry, AclDryrunResult } from "./acl.ts";
export type { Role, ShutdownOptions, FailoverOptions, ModuleInfo } from "./admin.ts";
export type { BitRange, BitfieldType, BitfieldOffset, BitfieldOperation } from "./bitmaps.ts";
export type { ClientInfo, ClientKillFilter, ClientTrackingOptions, ClientTrackingInfo } from "./client.ts";
export type { SetslotAction } from "./cluster-admin.ts";
export type { ClusterInfo, ClusterNode, ShardNode, ClusterShard, SlotNode, ClusterSlotRange, ClusterLink } from "./cluster-info.ts";
export type { ScanStepOptions, ScanPage } from "./cursors.ts";
export type { FunctionInfo, FunctionLibrary, FunctionStats, FunctionRestorePolicy } from "./functions.ts";
export type { GeoUnit, GeoPosition, GeoMemberPosition, GeoAddOptions, GeoSearchFrom, GeoSearchBy, GeoSearchOptions, GeoWithOptions, GeoSearchMember } from "./geo.ts";
export type { HashFields } from "./hashes.ts";
export type { CommandDescription, CommandDoc, CommandListFilter } from "./introspection.ts";
export type { ExpireCondition } from "./keys.ts";
export type { SortOptions, MigrateOptions } from "./keyspace.ts";
export type { LatencyLatest, LatencySample, LatencyHistogram, SlowlogEntry } from "./latency.ts";
export type { ListEnd } from "./lists.ts";
export type { MemoryStats } from "./memory.ts";
export type { XClaimOptions, XAutoClaimed, PendingEntry, XPendingRangeOptions } from "./stream-groups.ts";
export type { StreamInfoBase, StreamInfo, StreamInfoFull, StreamGroupInfo, StreamConsumerInfo } from "./stream-info.ts";
export type { StreamEntry, StreamRead, XAddOptions, XReadOptions, StreamOffsets } from "./streams.ts";
export type { LcsMatch, LcsIndexes } from "./string-lcs.ts";
export type { SetOptions } from "./strings.ts";
export type { ZCombineOptions } from "./zset-algebra.ts";
export type { RangeLimit, ZPopped } from "./zset-ranges.ts";
export type { ScoredMember, ZAddOptions, ZRangeOptions } from "./zsets.ts";
