// The stream side of the ingest benchmark, in its own process so that receiving does not share the
// manager's event loop: N WebSocket clients on /ws/traces, each counting the trace events it receives.
// IPC: {cmd: 'report'} answers {counts, first, last} (epoch ms); 'reset' answers and starts the next round's
// first and last arrival; {cmd: 'exit'} ends it.
import WebSocket from 'ws';

const [url = '', clients = '50'] = process.argv.slice(2);
const counts = new Array<number>(Number(clients)).fill(0);
let first = Number.POSITIVE_INFINITY;
let last = 0;
const sockets: WebSocket[] = [];

await Promise.all(
  counts.map(
    (_, i) =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        sockets.push(ws);
        let greeted = false;
        ws.on('message', () => {
          // The first frame is the greeting (connection_established); every later one is a trace event.
          if (!greeted) {
            greeted = true;
            return resolve();
          }
          counts[i] = (counts[i] as number) + 1;
          const now = performance.timeOrigin + performance.now();
          if (now < first) first = now;
          last = now;
        });
        ws.once('error', reject);
        ws.once('close', (code) => {
          if (code !== 1000 && code !== 1005) console.error(`trace client ${i} closed with ${code}`);
        });
      }),
  ),
);
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'report' || message.cmd === 'reset') process.send?.({ counts, first, last });
  if (message.cmd === 'reset') {
    first = Number.POSITIVE_INFINITY;
    last = 0;
  }
  if (message.cmd === 'exit') {
    for (const ws of sockets) ws.close();
    process.exit(0);
  }
});
process.send?.({ ready: true });
