// ws echo server (the stand-in for a backend agent service)
'use strict';
const { WebSocketServer } = require('ws');
const port = Number(process.env.PORT || 9001);
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, backlog: 4096 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () => console.log(`echo listening ${port} pid=${process.pid}`));
require('./report-memory.cjs');
