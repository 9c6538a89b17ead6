// Embeds the router in a plain node:http `upgrade` handler: pick a backend for each WebSocket upgrade from
// your own list, record the connection, and hand the socket on (here: answer with the pick and close).
// Run: node --conditions=@myagent/source --import tsx packages/router/examples/upgrade-handler.ts
import { createServer } from 'node:http';
import { createRouter } from '@myagent/router';

const backends = [
  { service_id: 'chat-1', status: 'running', tags: ['chat'], url: 'ws://10.0.0.1:8081' },
  { service_id: 'chat-2', status: 'running', tags: ['chat', 'mobile'], url: 'ws://10.0.0.2:8081' },
  { service_id: 'chat-3', status: 'stopped', tags: ['chat'], url: 'ws://10.0.0.3:8081' },
];
const router = createRouter({ defaultStrategy: 'least_connections' });
router.addRule({
  name: 'mobile',
  conditions: [{ field: 'user_agent', operator: 'contains', value: 'Mobile' }],
  target_tags: ['mobile'],
});

const server = createServer();
server.on('upgrade', (req, socket) => {
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  const context = {
    client_ip: req.socket.remoteAddress ?? '',
    user_agent: req.headers['user-agent'],
    headers: req.headers,
    query_params: query,
    session_id: query.session_id,
  };
  try {
    const { service, strategy } = router.route(context, backends);
    const id = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    router.connections.register({
      connection_id: id,
      client_ip: context.client_ip,
      target_service_id: service.service_id,
      routing_strategy: strategy,
    });
    socket.once('close', () => router.connections.unregister(id));
    socket.end(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nx-routed-to: ${service.url}\r\n\r\n`,
    ); // your proxying goes here
  } catch (error) {
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\nx-error: ${(error as { code?: string }).code}\r\n\r\n`,
    );
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : address}`);
});
