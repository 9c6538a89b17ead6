// Naive frame-level Node WS proxy: ws server + one ws client per inbound connection,
// relaying messages both ways (what a manager that inspects/rewrites messages would do).
'use strict';
const { WebSocketServer, WebSocket } = require('ws');
const port = Number(process.env.PORT || 9002);
const target = process.env.TARGET || 'ws://127.0.0.1:9001';
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, backlog: 4096 });
wss.on('connection', (client) => {
  const upstream = new WebSocket(target, { perMessageDeflate: false });
  const pending = [];
  upstream.on('open', () => {
    for (const [d, b] of pending) upstream.send(d, { binary: b });
    pending.length = 0;
  });
  client.on('message', (data, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else pending.push([data, isBinary]);
  });
  upstream.on('message', (data, isBinary) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  const closeBoth = () => {
    if (client.readyState <= 1) client.close();
    if (upstream.readyState === WebSocket.OPEN) upstream.close();
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  };
  client.on('close', () => {
    closeBoth();
  });
  upstream.on('close', closeBoth);
  client.on('error', () => {});
  upstream.on('error', () => {});
});
wss.on('listening', () => console.log(`proxy-ws listening ${port} -> ${target} pid=${process.pid}`));
require('./report-memory.cjs');
