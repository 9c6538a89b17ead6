// Our proxy in its own process, in front of one echo backend (TARGET), on PORT: plain node on the package's
// build (dist, what the manager runs; bench.ts runs `tsc -b` first). PROXY_MODULE loads another copy of the
// package instead (the bench's BENCH_PROXY_BASE: the proxy's source as of an older commit, through tsx).
import { createServer } from 'node:http';

const { createProxy } = await import(process.env.PROXY_MODULE ?? '@myagent/proxy');
const port = Number(process.env.PORT);
const target = String(process.env.TARGET);
const proxy = createProxy({
  source: {
    list: () => [{ service_id: 'echo', name: 'echo', endpoint: target, status: 'running' }],
    subscribe: () => () => {},
  },
  maxConnections: 20_000,
  maxPendingHandshakes: 20_000,
});
const server = createServer().on('upgrade', (req, socket, head) => proxy.handleUpgrade(req, socket, head));
server.listen(port, '127.0.0.1', 4096, () => console.log(`our-proxy listening ${port} pid=${process.pid}`));
// A clean exit on SIGTERM, so that a `--cpu-prof` run writes its profile.
process.on('SIGTERM', () => process.exit(0));
