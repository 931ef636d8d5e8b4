/**
 * The cluster client's client-side cache (option `cache`): one {@link ClientCache} for every node,
 * kept fresh by each node's tracked multiplexed connection (node.ts) and told of every write the
 * router's commands make. Apart from router.ts, which routes and follows redirections, because
 * why the cluster's cache runs unordered is a matter of the cache, not of routing.
 * @module
 */
import { ClientCache } from "../cache/cache.ts";
import type { ClusterCommandFactory } from "./command.ts";
import type { ResolvedClusterOptions } from "./options.ts";

/**
 * The cache of a cluster client made with `options.cache` (undefined without one), set as the
 * watcher of the writes `factory` creates.
 *
 * @example
 * ```ts
 * const cache = clusterCache(options, factory); // factory.watcher === cache
 * ```
 */
export function clusterCache(options: ResolvedClusterOptions, factory: ClusterCommandFactory): ClientCache | undefined {
  // Not "ordered" (the multiplexer's mode, where the connection a read is answered on is the one
  // its key's invalidations arrive on): here a read may be answered by one node while its key's
  // invalidation comes from another — a read sent to the old owner and redirected (MOVED, ASK),
  // a source node deleting migrated keys. So an invalidation drops reads in flight too, and a
  // write's entries go when it is created and again when it is answered (CommandWatcher.watch),
  // whichever node it went to.
  const cache = options.cache && new ClientCache(options.cache, options.connection.hooks);
  factory.watcher = cache;
  return cache;
}
