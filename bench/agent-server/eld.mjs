// Profiling aid, not part of the figures: `BENCH_SERVER_ARGS='--import ./bench/agent-server/eld.mjs'` loads
// this in the server's main thread, which then prints its event-loop delay (p50/p99/max) every
// BENCH_ELD_SECONDS (default 2) to stderr, and resets. Node 20 runs no --import in worker threads: to watch a
// pool worker, import this file from worker.ts for the session (it reports per thread id).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
const ms = (ns) => (ns / 1e6).toFixed(1);
setInterval(
  () => {
    if (histogram.count > 0) {
      process.stderr.write(
        `eld ${isMainThread ? 'main' : `worker ${threadId}`}: p50 ${ms(histogram.percentile(50))} p99 ${ms(histogram.percentile(99))} max ${ms(histogram.max)} ms\n`,
      );
    }
    histogram.reset();
  },
  Number(process.env.BENCH_ELD_SECONDS ?? 2) * 1000,
).unref();
