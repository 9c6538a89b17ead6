// Our proxy in its own process, in front of one echo backend (TARGET), on PORT. PROXY_MODULE loads another
// build of the package (the bench's BENCH_PROXY_BASE: the proxy as of an older commit, side by side).
import { createServer } from 'node:http';
import type * as ProxyPackage from '@myagent/proxy';

const { createProxy }: typeof ProxyPackage = await import(process.env.PROXY_MODULE ?? '@myagent/proxy');

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
