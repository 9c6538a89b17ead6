// The floor of a relay written on Node's streams (../shared/proxy-baseline/proxy-pipe.js): on an HTTP
// upgrade, open a TCP socket to the backend, replay the request head, then pipe bytes both ways; no frame
// is read at all. What it costs per round trip is what Node's sockets cost, whatever the relay does.
'use strict';
const http = require('node:http');
const net = require('node:net');
const port = Number(process.env.PORT);
const target = new URL(process.env.TARGET);
const server = http.createServer((_req, res) => {
  res.writeHead(404);
  res.end();
});
server.on('upgrade', (req, socket, head) => {
  const up = net.connect(Number(target.port), target.hostname);
  up.setNoDelay(true);
  socket.setNoDelay(true);
  up.on('connect', () => {
    let request = `${req.method} ${req.url} HTTP/1.1\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      request += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    up.write(`${request}\r\n`);
    if (head?.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  const kill = () => {
    socket.destroy();
    up.destroy();
  };
  up.on('error', kill);
  socket.on('error', kill);
  up.on('close', kill);
  socket.on('close', kill);
});
server.listen(port, '127.0.0.1', 4096, () => console.log(`node-pipe listening ${port} pid=${process.pid}`));
