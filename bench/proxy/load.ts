// The load a proxy bench run puts on one path (a URL): closed loop (saturated msg/s), open loop at a fixed
// rate (latency percentiles), and idle connections (memory). Every run counts the messages it sent and got
// back; a message sent and never echoed is lost.
import WebSocket from 'ws';

const PAYLOAD = Buffer.alloc(64, 97).toString();
/** Handshakes in flight at once while opening many connections. */
const OPENING = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `n` connections, `OPENING` at a time; rejects on the first that fails. */
export async function openSockets(url: string, n: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < n) {
      next++;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(OPENING, n) }, one));
  } catch (error) {
    await closeSockets(sockets);
    throw error;
  }
  return sockets;
}

/** Terminates every socket and waits until each has closed (so the next run starts on a quiet relay). */
export async function closeSockets(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.terminate();
        }),
    ),
  );
  await sleep(300);
}

/**
 * Closed loop: each connection sends 64 B, waits for the echo, sends again, for `seconds`. `probe` is read
 * once all are open and again once the last echo is back, so what it measures leaves out the handshakes.
 */
export async function closedLoop<T>(
  url: string,
  n: number,
  seconds: number,
  probe: () => T,
): Promise<{ rate: number; lost: number; trips: number; before: T; after: T }> {
  const sockets = await openSockets(url, n);
  let trips = 0;
  let sent = 0;
  let stop = false;
  for (const ws of sockets) {
    ws.on('message', () => {
      trips++;
      if (!stop) {
        sent++;
        ws.send(PAYLOAD);
      }
    });
  }
  const before = probe();
  const started = performance.now();
  for (const ws of sockets) {
    sent++;
    ws.send(PAYLOAD);
  }
  await sleep(seconds * 1000);
  stop = true;
  const rate = trips / ((performance.now() - started) / 1000);
  // The last round trips still in flight come back; any that do not are lost.
  const drainUntil = Date.now() + 2000;
  while (trips < sent && Date.now() < drainUntil) await sleep(20);
  const after = probe();
  await closeSockets(sockets);
  return { rate, lost: sent - trips, trips, before, after };
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

/**
 * Open loop: `n` connections each send 64 B every `1000 / perSecond` ms (starts staggered) for `seconds`,
 * without waiting for replies; the round trip of each is timed (the first second is warm-up).
 */
export async function openLoop(
  url: string,
  n: number,
  perSecond: number,
  seconds: number,
): Promise<{ p50: number; p99: number; lost: number; samples: number }> {
  const sockets = await openSockets(url, n);
  const rtts: number[] = [];
  const interval = 1000 / perSecond;
  const warmUntil = performance.now() + 1000;
  const endAt = performance.now() + seconds * 1000;
  let sent = 0;
  let received = 0;
  const timers: NodeJS.Timeout[] = [];
  sockets.forEach((ws, i) => {
    const sentAt: number[] = [];
    let head = 0;
    ws.on('message', () => {
      const t0 = sentAt[head++] as number;
      const now = performance.now();
      received++;
      if (t0 >= warmUntil) rtts.push(now - t0);
    });
    timers.push(
      setTimeout(
        () => {
          const timer = setInterval(() => {
            if (performance.now() > endAt) return clearInterval(timer);
            sentAt.push(performance.now());
            sent++;
            ws.send(PAYLOAD);
          }, interval);
          timers.push(timer);
        },
        (i * interval) / n,
      ),
    );
  });
  await sleep(seconds * 1000 + 100);
  for (const timer of timers) clearInterval(timer);
  const drainUntil = Date.now() + 2000;
  while (received < sent && Date.now() < drainUntil) await sleep(20);
  await closeSockets(sockets);
  const sorted = Float64Array.from(rtts).sort();
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    lost: sent - received,
    samples: rtts.length,
  };
}
