import type { CommandSpec } from '../spec.js';
import { apply } from './apply/index.js';
import { connections } from './connections/index.js';
import { api, daemon } from './daemon/index.js';
import { disconnect } from './disconnect/index.js';
import { healthCheck } from './health-check/index.js';
import { list } from './list/index.js';
import { logs } from './logs/index.js';
import { monitorCommand } from './monitor/index.js';
import { register } from './register/index.js';
import { restart } from './restart/index.js';
import { route } from './route/index.js';
import { show } from './show/index.js';
import { start } from './start/index.js';
import { stats } from './stats/index.js';
import { status } from './status/index.js';
import { stop } from './stop/index.js';
import { traces } from './traces/index.js';
import { unregister } from './unregister/index.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  daemon,
  api,
  register,
  start,
  stop,
  restart,
  list,
  status,
  show,
  stats,
  unregister,
  monitorCommand,
  logs,
  traces,
  healthCheck,
  connections,
  disconnect,
  route,
  apply,
];
