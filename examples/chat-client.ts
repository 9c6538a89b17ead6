// A tiny client of the agent protocol: one session, one message, every event printed until the answer.
// Run: pnpm exec tsx examples/chat-client.ts "ws://127.0.0.1:8000/ws?service=echo-agent" "hello there"
// (the manager's /ws), or an agent server's own address such as ws://127.0.0.1:8081.
import WebSocket from 'ws';

const [url = 'ws://127.0.0.1:8081', text = 'hello'] = process.argv.slice(2);
const socket = new WebSocket(url);
socket.on('open', () => socket.send(JSON.stringify({ event: 'user.create_session' })));
socket.on('message', (data) => {
  const message = JSON.parse(String(data));
  console.log(
    `${message.event.padEnd(22)} ${typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? message.data ?? '')}`,
  );
  if (message.event === 'agent.session_created') {
    socket.send(JSON.stringify({ event: 'user.message', session_id: message.session_id, content: text }));
  }
  if (['agent.final_answer', 'agent.error', 'system.error', 'error'].includes(message.event)) socket.close();
});
socket.on('error', (error) => {
  console.error(`cannot reach ${url}: ${error.message}`);
  process.exitCode = 1;
});
