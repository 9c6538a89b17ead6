// Seed 000's manager_example.py, one to one: register a service with auto_start, read the system stats,
// keep running a while. Run: pnpm exec tsx --conditions=@myagent/source examples/manager-example.ts
// (EXAMPLE_DB picks the database file, EXAMPLE_SECONDS how long to keep running; default 30.)
import { AgentManager } from '@myagent/manager';

async function main() {
  // 创建管理器 (create the manager); `await using` stops it on the way out, like `async with`.
  await using manager = new AgentManager(process.env.EXAMPLE_DB ?? 'manager.db');
  await manager.start();

  // 注册服务 (register a service); the port is optional: without it one is allocated from 8081-9000.
  // A second run on the same database finds the service already there (and running again).
  const existing = await manager.getServiceByName('greeting_service');
  const service =
    existing ??
    (await manager.registerService({
      name: 'greeting_service',
      agent_factory_path: new URL('./echo-agent.ts', import.meta.url).pathname,
      host: 'localhost',
      description: '问候服务',
      tags: ['greeting', 'demo'],
      auto_start: true,
    }));
  console.log(`服务已注册: ${service.name} at ${service.endpoint}`);

  // No fixed sleep: registerService with auto_start returns once the service answers a WebSocket ping.
  const stats = await manager.getSystemStats();
  console.log('系统状态:', JSON.stringify({ services: stats.services, health: stats.health }));

  // 保持运行 (keep running)
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.EXAMPLE_SECONDS ?? 30) * 1000));
}

await main();
