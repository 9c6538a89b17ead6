import { createApi } from '@myagent/api-hono';
import { AgentManager, createApiHost } from '@myagent/manager';

await using manager = new AgentManager('manager.db');
await manager.start();
const app = createApi(createApiHost(manager), { tokens: [{ name: 'ops', token: 'a-token-of-16-chars-or-more' }] });

const denied = await app.request('/api/v1/services');
const listed = await app.request('/api/v1/services?status=running', {
  headers: { authorization: 'Bearer a-token-of-16-chars-or-more' },
});
console.log(denied.status, listed.status, await listed.json()); // 401 200 { services: [], total: 0, ... }
