import type { RoutingStrategy } from '@myagent/models';
import type { SessionBindings } from '../affinity.js';
import type { LiveConnections } from '../connections.js';
import type { FieldCache } from '../fields.js';
import type { ListSnapshot } from '../pool.js';
import type { CompiledRule, RuleIndex } from '../rules.js';
import type { PickInput } from '../strategies.js';

/** The shared state that route() and explain() read. */
export interface RouterState {
  fields: FieldCache;
  index: RuleIndex;
  all: Map<string, CompiledRule>;
  defaultStrategy: RoutingStrategy;
  /** The strategy that picks for the default: tag_based narrows by tags, then picks round-robin. */
  defaultPicker: RoutingStrategy;
  defaultCursor: { next: number };
  affinity: SessionBindings | null;
  connections: LiveConnections;
  pickInput: PickInput;
  hashSlot: number;
  ipSlot: number;
  /** Plain lists seen before, re-checked on each call and reused when unchanged. */
  lists: WeakMap<readonly unknown[], ListSnapshot>;
}
