import * as v from 'valibot';
import { boundedText, plainObject } from './common.js';
import { CreateRoutingRuleRequest, newServiceEntries } from './requests.js';
import { ServiceSettings } from './service.js';

// The declarative config file (`myagent.config.json`, `.yaml`, `.ts`, `.js`) that `myagent-manager apply`
// makes the manager match: the services and routing rules a project runs, as pm2's ecosystem file holds a
// project's apps. Unknown fields are refused so that a typo never passes silently.

/**
 * One service of a config file: `POST /services` with the agent module under `path`, matched by name.
 * `auto_start` starts it whenever it is applied and not running.
 */
export const ConfigService = plainObject(
  v.strictObject({
    ...newServiceEntries,
    /** The agent module (.ts, .js, .mjs), relative to the config file's folder. */
    path: boundedText(4096, 1),
    /** The service's config (spec B3); a field left out is its default. */
    config: v.optional(ServiceSettings, {}),
  }),
  'a service',
);
export type ConfigService = v.InferOutput<typeof ConfigService>;

/** Flags every item of a list after the first whose `name` repeats one above it, at `LIST.INDEX.name`. */
function uniqueNames<T extends { name: string }>(what: string) {
  // It runs on the raw items too (when another field of the list is wrong), so it reads them defensively.
  return v.rawCheck<T[]>(({ dataset, addIssue }) => {
    const list: unknown = dataset.value;
    if (!Array.isArray(list)) return;
    const seen = new Map<string, number>();
    list.forEach((item: unknown, index) => {
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') return;
      const first = seen.get(name);
      if (first === undefined) {
        seen.set(name, index);
        return;
      }
      addIssue({
        message: `${what} '${name}' is already defined at index ${first}`,
        path: [
          { type: 'array', origin: 'value', input: list, key: index, value: item },
          {
            type: 'object',
            origin: 'value',
            input: item as Record<string, unknown>,
            key: 'name',
            value: name,
          },
        ],
      });
    });
  });
}

/**
 * A whole config file: its services and routing rules, each named uniquely. What the file leaves out of a
 * service it names takes its default, so the file alone says how the service is set up.
 */
export const MyAgentConfig = plainObject(
  v.strictObject({
    /** A JSON Schema reference for editors; ignored. */
    $schema: v.optional(v.pipe(v.string(), v.maxLength(2048))),
    services: v.optional(
      v.pipe(
        v.array(ConfigService),
        v.maxLength(1000, 'at most 1000 services'),
        uniqueNames<ConfigService>('a service named'),
      ),
      [],
    ),
    /** Routing rules, as `POST /routing/rules` takes them. */
    rules: v.optional(
      v.pipe(
        v.array(CreateRoutingRuleRequest),
        v.maxLength(1000, 'at most 1000 rules'),
        uniqueNames<CreateRoutingRuleRequest>('a rule named'),
      ),
      [],
    ),
  }),
  'a config file',
);
export type MyAgentConfig = v.InferOutput<typeof MyAgentConfig>;
/** A config file as a person writes it: defaults not yet applied. */
export type MyAgentConfigInput = v.InferInput<typeof MyAgentConfig>;

/**
 * Types a config file written as a module (`myagent.config.ts` or `.js`); returns it unchanged. The CLI
 * validates it when it loads it.
 * @example
 * // myagent.config.ts
 * import { defineConfig } from '@myagent/models';
 * export default defineConfig({
 *   services: [{ name: 'echo', path: './agents/echo.ts', tags: ['chat'], config: { max_sessions: 50 } }],
 *   rules: [{ name: 'vip', conditions: [{ field: 'header.x-tier', operator: 'equals', value: 'vip' }], target_tags: ['chat'] }],
 * });
 */
export function defineConfig(config: MyAgentConfigInput): MyAgentConfigInput {
  return config;
}
