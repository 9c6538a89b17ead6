import { coded, runDaemon } from './daemon.js';

runDaemon(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`myagent-manager-daemon: ${coded(error)}\n`);
    process.exit(1);
  },
);
