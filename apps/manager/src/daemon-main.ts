import { AppError } from '@myagent/models';
import { runDaemon } from './daemon.js';

runDaemon(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`myagent-manager-daemon: ${AppError.from(error).message}\n`);
    process.exit(1);
  },
);
