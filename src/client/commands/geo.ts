/**
 * Geospatial commands. Positions, distances and hashes come back as numbers on both protocols;
 * `GEORADIUS*` are deprecated by Redis in favour of `GEOSEARCH` and typed in their reading form.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { list, textOrNull, toNumber } from "../replies.ts";
import { data, parsed, raw, type Cmd, type DataCmd, type Key } from "../spec.ts";
import type { AtMostOne } from "../typing.ts";

/** A distance unit. */
export type GeoUnit = "m" | "km" | "ft" | "mi";

/** A point on the map. */
export interface GeoPosition {
  longitude: number;
  latitude: number;
}

/** A member to add, with its position. */
export interface GeoMemberPosition extends GeoPosition {
  member: Arg;
}

/** Options of `geoadd`: only add (`nx`) or only update (`xx`), not both; count changed ones too (`ch`). */
export type GeoAddOptions = AtMostOne<{ nx?: boolean; xx?: boolean }, "nx" | "xx"> & { ch?: boolean };

/** Where a search starts: a member's position or a point. */
export type GeoSearchFrom = { member: Arg } | GeoPosition;

/** The search area: a circle or a box around the start. */
export type GeoSearchBy = { radius: number; unit: GeoUnit } | { width: number; height: number; unit: GeoUnit };

/** Order and limit of a search; `any` returns as soon as `count` matches are found (unsorted). */
export interface GeoSearchOptions {
  order?: "ASC" | "DESC";
  count?: number;
  any?: boolean;
}

/** What `geosearchWith` adds to each member. */
export interface GeoWithOptions {
  withCoord?: boolean;
  withDist?: boolean;
  withHash?: boolean;
}

/** A member found by `geosearchWith`, with what was asked for. */
export interface GeoSearchMember<M = string> {
  /** Data: a `Uint8Array` in bytes mode. */
  member: M;
  /** Distance from the start, in the search's unit (`withDist`). */
  distance?: number;
  /** The 52-bit geohash score (`withHash`). */
  hash?: number;
  /** Its position (`withCoord`). */
  position?: GeoPosition;
}

function fromArgs(from: GeoSearchFrom): Arg[] {
  return "member" in from ? ["FROMMEMBER", from.member] : ["FROMLONLAT", from.longitude, from.latitude];
}

function byArgs(by: GeoSearchBy): Arg[] {
  return "radius" in by ? ["BYRADIUS", by.radius, by.unit] : ["BYBOX", by.width, by.height, by.unit];
}

function optionArgs(options: GeoSearchOptions): Arg[] {
  const args: Arg[] = [];
  if (options.order) args.push(options.order);
  if (options.count !== undefined) args.push("COUNT", options.count);
  if (options.any) {
    if (options.count === undefined) throw new TypeError("geo: any needs a count");
    args.push("ANY");
  }
  return args;
}

function withArgs(options: GeoWithOptions): Arg[] {
  const args: Arg[] = [];
  if (options.withCoord) args.push("WITHCOORD");
  if (options.withDist) args.push("WITHDIST");
  if (options.withHash) args.push("WITHHASH");
  return args;
}

function toPosition(reply: RespValue): GeoPosition | null {
  if (reply === null) return null;
  const [longitude, latitude] = list(reply);
  return { longitude: toNumber(longitude), latitude: toNumber(latitude) };
}

/** Each item is `[member, dist?, hash?, [lon, lat]?]`, in that order, as asked (redis.io GEOSEARCH). */
function toSearchMembers(options: GeoWithOptions): (reply: RespValue) => GeoSearchMember[] {
  return (reply) =>
    list(reply).map((item) => {
      const parts = list(item);
      const out: GeoSearchMember = { member: parts[0] as string };
      let i = 1;
      if (options.withDist) out.distance = toNumber(parts[i++]);
      if (options.withHash) out.hash = toNumber(parts[i++]);
      if (options.withCoord) out.position = toPosition(parts[i++]!)!;
      return out;
    });
}

function center(position: GeoPosition): Arg[] {
  return [position.longitude, position.latitude];
}

/** Geo command table. */
export const geoCommands = {
  /** `GEOADD key [NX|XX] [CH] longitude latitude member...` → how many were added (or changed, with `ch`). */
  geoadd: (key: Key, members: readonly GeoMemberPosition[], options: GeoAddOptions = {}): Cmd<number> => {
    if (members.length === 0) throw new TypeError("geoadd: give at least one member");
    if (options.nx && options.xx) throw new TypeError("geoadd: nx and xx exclude each other");
    const args: Arg[] = ["GEOADD", key];
    if (options.nx) args.push("NX");
    if (options.xx) args.push("XX");
    if (options.ch) args.push("CH");
    for (const m of members) args.push(m.longitude, m.latitude, m.member);
    return raw(args);
  },
  /** `GEODIST key member1 member2 [unit]` → the distance (metres by default), or `null` if one is missing. */
  geodist: (key: Key, member1: Arg, member2: Arg, unit?: GeoUnit): Cmd<number | null> =>
    parsed(unit ? ["GEODIST", key, member1, member2, unit] : ["GEODIST", key, member1, member2], (r) => (r === null ? null : toNumber(r))),
  /** `GEOHASH key member...` → an 11-character geohash per member, `null` for missing ones. */
  geohash: (key: Key, ...members: Arg[]): Cmd<Array<string | null>> => parsed(["GEOHASH", key, ...members], (r) => list(r).map(textOrNull)),
  /** `GEOPOS key member...` → a position per member, `null` for missing ones. */
  geopos: (key: Key, ...members: Arg[]): Cmd<Array<GeoPosition | null>> => parsed(["GEOPOS", key, ...members], (r) => list(r).map(toPosition)),
  /** `GEOSEARCH key FROMMEMBER|FROMLONLAT BYRADIUS|BYBOX [ASC|DESC] [COUNT n [ANY]]` → members. */
  geosearch: (key: Key, from: GeoSearchFrom, by: GeoSearchBy, options: GeoSearchOptions = {}): DataCmd<string[]> =>
    data(["GEOSEARCH", key, ...fromArgs(from), ...byArgs(by), ...optionArgs(options)], (r) => list(r) as string[]),
  /** `GEOSEARCH ... WITHCOORD|WITHDIST|WITHHASH` → members with their position, distance or hash. */
  geosearchWith: (key: Key, from: GeoSearchFrom, by: GeoSearchBy, options: GeoSearchOptions & GeoWithOptions): Cmd<GeoSearchMember[], GeoSearchMember<Uint8Array>[]> =>
    data(["GEOSEARCH", key, ...fromArgs(from), ...byArgs(by), ...optionArgs(options), ...withArgs(options)], toSearchMembers(options)),
  /** `GEOSEARCHSTORE destination source ... [STOREDIST]` → how many were stored (distances as scores with `storeDist`). */
  geosearchstore: (destination: Key, source: Key, from: GeoSearchFrom, by: GeoSearchBy, options: GeoSearchOptions & { storeDist?: boolean } = {}): Cmd<number> =>
    raw(["GEOSEARCHSTORE", destination, source, ...fromArgs(from), ...byArgs(by), ...optionArgs(options), ...(options.storeDist ? ["STOREDIST"] : [])]),
  /** @deprecated Redis 6.2: use `geosearch` with `{ longitude, latitude }` and `{ radius, unit }`. `GEORADIUS` → members. */
  georadius: (key: Key, position: GeoPosition, radius: number, unit: GeoUnit, options: GeoSearchOptions = {}): DataCmd<string[]> =>
    data(["GEORADIUS", key, ...center(position), radius, unit, ...optionArgs(options)], (r) => list(r) as string[]),
  /** @deprecated Redis 6.2: use `geosearch`. `GEORADIUS_RO` → members. */
  georadiusRo: (key: Key, position: GeoPosition, radius: number, unit: GeoUnit, options: GeoSearchOptions = {}): DataCmd<string[]> =>
    data(["GEORADIUS_RO", key, ...center(position), radius, unit, ...optionArgs(options)], (r) => list(r) as string[]),
  /** @deprecated Redis 6.2: use `geosearch` with `{ member }`. `GEORADIUSBYMEMBER` → members. */
  georadiusbymember: (key: Key, member: Arg, radius: number, unit: GeoUnit, options: GeoSearchOptions = {}): DataCmd<string[]> =>
    data(["GEORADIUSBYMEMBER", key, member, radius, unit, ...optionArgs(options)], (r) => list(r) as string[]),
  /** @deprecated Redis 6.2: use `geosearch` with `{ member }`. `GEORADIUSBYMEMBER_RO` → members. */
  georadiusbymemberRo: (key: Key, member: Arg, radius: number, unit: GeoUnit, options: GeoSearchOptions = {}): DataCmd<string[]> =>
    data(["GEORADIUSBYMEMBER_RO", key, member, radius, unit, ...optionArgs(options)], (r) => list(r) as string[]),
};
