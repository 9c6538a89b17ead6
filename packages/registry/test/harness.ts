import { join } from 'node:path';
import { agentServerCommand } from '@myagent/agent-server';
import { createSqliteStorage, type Storage } from '@myagent/storage-kysely';
import { freePortRange, tempDir } from '@myagent/test-support';
import { createRegistry, type RegistryOptions, type ServiceRegistry } from '../src/index.js';
import { fakeServer } from './helpers.js';

/** A registry over a real SQLite storage in a temp dir, and a cleanup that closes both. */
export interface Harness {
  storage: Storage;
  registry: ServiceRegistry;
  dir: string;
  dbPath: string;
  close: () => Promise<void>;
}

/** Opens a harness; options override quick test defaults (short grace, fast restarts, no stats timer). */
export async function openHarness(options: Partial<RegistryOptions> = {}, dbPath?: string): Promise<Harness> {
  const temp = tempDir('myagent-registry-');
  const path = dbPath ?? join(temp.dir, 'manager.db');
  const storage = await createSqliteStorage({ path });
  const registry = createRegistry({
    store: storage.services,
    logs: storage.logs,
    command: fakeServer,
    // The fake server stands in for starts; the dry load at registration is the real binary's --check.
    agentCheck: { command: agentServerCommand() },
    // A range the kernel just had free, with slack: the allocator skips a port someone took since.
    portRange: await freePortRange(30),
    readyTimeoutMs: 10_000,
    stopGraceMs: 3_000,
    statsIntervalMs: 0,
    restart: { backoffFactor: 2, maxDelayMs: 2_000, windowMs: 60_000, healthyResetMs: 60_000 },
    ...options,
  });
  return {
    storage,
    registry,
    dir: temp.dir,
    dbPath: path,
    close: async () => {
      await registry.close();
      await storage.close();
      temp.cleanup();
    },
  };
}

/** The real `myagent-ws` binary. */
export { agentServerCommand } from '@myagent/agent-server';
