/**
 * A command client for tests of the command tables, independent of which executor serves it.
 */
import { ConnectionClient } from "../../src/client/connection-client.ts";
import { CommandFactory } from "../../src/conn/factory.ts";
import { openConnection } from "../../src/conn/open.ts";
import { resolveConnectionOptions, type ConnectionOptions } from "../../src/conn/options.ts";

/** A client on one dedicated connection; `close()` closes it. */
export class TestClient extends ConnectionClient {
  async close(): Promise<void> {
    await this.detach()?.close();
  }
}

/** Connect a {@link TestClient} to `url` (options override). */
export async function connectTestClient(url: string, options: ConnectionOptions = {}): Promise<TestClient> {
  const resolved = resolveConnectionOptions({ url, ...options });
  const conn = await openConnection(resolved);
  return new TestClient(conn, new CommandFactory(resolved));
}
