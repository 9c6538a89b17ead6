import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { StorageDialect } from './types.js';

// Forward-only migrations, in name order. Later issues append here (metric samples, operation log) as
// '0004_...'; a released migration is never edited.
function migrations(dialect: StorageDialect): Record<string, Migration> {
  const pg = dialect === 'postgres';
  const json = pg ? 'jsonb' : 'text';
  const real = pg ? 'double precision' : 'real';
  const big = pg ? 'bigint' : 'integer';
  const bool = pg ? 'boolean' : 'integer';

  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('services')
          .addColumn('service_id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('port', 'integer', (c) => c.notNull())
          .addColumn('endpoint', 'text', (c) => c.notNull())
          .addColumn('tags', json, (c) => c.notNull())
          .addColumn('agent_type', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('last_health_check', 'text')
          .addColumn('error_message', 'text')
          .addColumn('restart_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('config', json, (c) => c.notNull())
          .addColumn('stats', json, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('services_status_idx').on('services').column('status').execute();
        await db.schema
          .createIndex('services_created_idx')
          .on('services')
          .columns(['created_at', 'name'])
          .execute();

        await db.schema
          .createTable('service_tags')
          .addColumn('service_id', 'text', (c) =>
            c.notNull().references('services.service_id').onDelete('cascade'),
          )
          .addColumn('tag', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('service_tags_pk', ['service_id', 'tag'])
          .execute();
        await db.schema
          .createIndex('service_tags_tag_idx')
          .on('service_tags')
          .columns(['tag', 'service_id'])
          .execute();

        await db.schema
          .createTable('routing_rules')
          .addColumn('rule_id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('priority', 'integer', (c) => c.notNull())
          .addColumn('enabled', bool, (c) => c.notNull())
          .addColumn('conditions', json, (c) => c.notNull())
          .addColumn('target_strategy', 'text', (c) => c.notNull())
          .addColumn('target_services', json, (c) => c.notNull())
          .addColumn('target_tags', json, (c) => c.notNull())
          .addColumn('weight', real, (c) => c.notNull())
          .addColumn('fallback_strategy', 'text')
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('health_checks')
          .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
            pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('service_id', 'text', (c) =>
            c.notNull().references('services.service_id').onDelete('cascade'),
          )
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('response_time_ms', real)
          .addColumn('timestamp', 'text', (c) => c.notNull())
          .addColumn('checks', json, (c) => c.notNull())
          .addColumn('error', 'text')
          .execute();
        await db.schema
          .createIndex('health_checks_service_time_idx')
          .on('health_checks')
          .columns(['service_id', 'timestamp', 'id'])
          .execute();

        await db.schema
          .createTable('connections')
          .addColumn('connection_id', 'text', (c) => c.primaryKey())
          .addColumn('session_id', 'text')
          .addColumn('client_ip', 'text', (c) => c.notNull())
          .addColumn('client_port', 'integer')
          .addColumn('user_agent', 'text')
          .addColumn('target_service_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('connected_at', 'text', (c) => c.notNull())
          .addColumn('last_activity', 'text', (c) => c.notNull())
          .addColumn('disconnected_at', 'text')
          .addColumn('bytes_sent', big, (c) => c.notNull().defaultTo(0))
          .addColumn('bytes_received', big, (c) => c.notNull().defaultTo(0))
          .addColumn('message_count', big, (c) => c.notNull().defaultTo(0))
          .addColumn('routing_strategy', 'text')
          .addColumn('routing_metadata', json, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('connections_service_idx')
          .on('connections')
          .columns(['target_service_id', 'status'])
          .execute();
        await db.schema
          .createIndex('connections_status_idx')
          .on('connections')
          .columns(['status', 'connected_at'])
          .execute();

        await db.schema
          .createTable('service_logs')
          .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
            pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('service_id', 'text', (c) =>
            c.notNull().references('services.service_id').onDelete('cascade'),
          )
          .addColumn('timestamp', 'text', (c) => c.notNull())
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('level_rank', 'integer', (c) => c.notNull())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('fields', json, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('service_logs_service_idx')
          .on('service_logs')
          .columns(['service_id', 'id'])
          .execute();
      },
    },
    // Nullable, no default: the services stored before it had no restart pending that anybody could resume.
    '0002_services_restart_due_at': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('services').addColumn('restart_due_at', 'text').execute();
      },
    },
    '0003_manager_lease': {
      async up(db: Kysely<unknown>) {
        // One row per database while a manager runs on it: a second manager refuses to start.
        await db.schema
          .createTable('manager_lease')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('pid', 'integer', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('heartbeat_at', 'text', (c) => c.notNull())
          .execute();
        // The child a manager runs for the service: the only process a later manager may stop as a stray.
        await db.schema.alterTable('services').addColumn('process_pid', 'integer').execute();
        await db.schema.alterTable('services').addColumn('process_host', 'text').execute();
        await renameCaseDuplicates(db);
        await db.schema
          .createIndex('services_name_lower_idx')
          .on('services')
          .unique()
          .expression(sql`lower(name)`)
          .execute();
      },
    },
    // The HTTP API's tables (issue 9): metric samples with rollups, persistent stat totals, the operation
    // log, alert webhooks and their deliveries. Times that buckets are computed on are epoch ms integers.
    '0005_http_api': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('metric_samples')
          .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
            pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          // '' for system-wide metrics: a plain value keeps GROUP BY and the index simple on both dialects.
          .addColumn('service_id', 'text', (c) => c.notNull())
          .addColumn('metric', 'text', (c) => c.notNull())
          // 0 for raw samples, else the bucket size in ms of a rollup.
          .addColumn('resolution', 'integer', (c) => c.notNull())
          .addColumn('ts', big, (c) => c.notNull())
          .addColumn('sum', real, (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('min', real, (c) => c.notNull())
          .addColumn('max', real, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('metric_samples_series_idx')
          .on('metric_samples')
          .columns(['metric', 'service_id', 'resolution', 'ts'])
          .execute();
        await db.schema
          .createIndex('metric_samples_resolution_idx')
          .on('metric_samples')
          .columns(['resolution', 'ts'])
          .execute();

        await db.schema
          .createTable('stat_totals')
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', real, (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('stat_totals_pk', ['scope', 'key'])
          .execute();

        await db.schema
          .createTable('audit_log')
          .addColumn('audit_id', pg ? 'bigserial' : 'integer', (c) =>
            pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('timestamp', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('target_type', 'text')
          .addColumn('target_id', 'text')
          .addColumn('service_id', 'text')
          .addColumn('status_code', 'integer', (c) => c.notNull())
          .addColumn('result', 'text', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('client_ip', 'text')
          .execute();
        await db.schema.createIndex('audit_log_time_idx').on('audit_log').columns(['timestamp']).execute();
        await db.schema
          .createIndex('audit_log_service_idx')
          .on('audit_log')
          .columns(['service_id', 'audit_id'])
          .execute();

        await db.schema
          .createTable('webhooks')
          .addColumn('webhook_id', 'text', (c) => c.primaryKey())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('events', json, (c) => c.notNull())
          .addColumn('secret', 'text')
          .addColumn('enabled', bool, (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('delivery_id', 'text', (c) => c.primaryKey())
          .addColumn('webhook_id', 'text', (c) =>
            c.notNull().references('webhooks.webhook_id').onDelete('cascade'),
          )
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('response_status', 'integer')
          .addColumn('error', 'text')
          .addColumn('payload', json, (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_hook_idx')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'created_at'])
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_time_idx')
          .on('webhook_deliveries')
          .columns(['created_at'])
          .execute();
      },
    },
    '0006_traces': {
      async up(db: Kysely<unknown>) {
        // One row per run (its summary, rewritten as events arrive) and its events in arrival order.
        await db.schema
          .createTable('traces')
          .addColumn('trace_id', 'text', (c) => c.primaryKey())
          .addColumn('service_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('trace_name', 'text', (c) => c.notNull())
          .addColumn('agent_name', 'text', (c) => c.notNull())
          .addColumn('request', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('ended_at', 'text')
          .addColumn('duration_ms', real)
          .addColumn('steps', 'integer', (c) => c.notNull())
          .addColumn('tool_calls', 'integer', (c) => c.notNull())
          .addColumn('llm_calls', 'integer', (c) => c.notNull())
          .addColumn('input_tokens', big, (c) => c.notNull())
          .addColumn('output_tokens', big, (c) => c.notNull())
          .addColumn('final_answer_chars', big, (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('error_message', 'text')
          .execute();
        await db.schema.createIndex('traces_time_idx').on('traces').columns(['started_at']).execute();
        await db.schema
          .createIndex('traces_service_idx')
          .on('traces')
          .columns(['service_id', 'started_at'])
          .execute();
        await db.schema
          .createIndex('traces_session_idx')
          .on('traces')
          .columns(['session_id', 'started_at'])
          .execute();
        await db.schema
          .createTable('trace_events')
          .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
            pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('trace_id', 'text', (c) => c.notNull().references('traces.trace_id').onDelete('cascade'))
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('timestamp', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('data', json, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('trace_events_trace_idx')
          .on('trace_events')
          .columns(['trace_id', 'id'])
          .execute();
      },
    },
  };
}

/**
 * Names became unique regardless of case in 0003. Services stored before it whose names differ only in
 * case keep the oldest one's name; each later one gets `-<first 8 characters of its id>` appended.
 */
async function renameCaseDuplicates(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ service_id: string; name: string }>`
    select service_id, name from services order by created_at, name, service_id`.execute(db);
  const seen = new Set<string>();
  for (const { service_id, name } of rows) {
    const key = name.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    const renamed = `${name.slice(0, 55)}-${service_id.slice(0, 8)}`;
    seen.add(renamed.toLowerCase());
    await sql`update services set name = ${renamed} where service_id = ${service_id}`.execute(db);
  }
}

/** The migrations as Kysely's Migrator reads them, in code (no files to ship or find). */
export function createMigrationProvider(dialect: StorageDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

/**
 * Brings the schema to the latest migration. On SQLite the whole run holds one `BEGIN IMMEDIATE`
 * transaction, because Kysely's SQLite adapter takes no lock and two processes opening a new file at once
 * would both create the tables. `schema` (PostgreSQL) is where the Migrator keeps its own tables.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: StorageDialect,
  schema?: string,
): Promise<void> {
  const run = async (target: Kysely<unknown>) => {
    const { error } = await new Migrator({
      db: target,
      provider: createMigrationProvider(dialect),
      // Without it the Migrator looks for its tables in any schema and takes another schema's for ours.
      ...(schema !== undefined && { migrationTableSchema: schema }),
    }).migrateToLatest();
    if (error) throw error;
  };
  if (dialect === 'postgres') return run(db);
  await db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      await run(conn);
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw error;
    }
  });
}
