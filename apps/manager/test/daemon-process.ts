// The daemon as a user runs it now lives in the private test-support package, shared with the CLI's tests.
export { type DaemonProcess, startDaemon } from '@myagent/test-support';

/** Calls the daemon's HTTP API at `base` (`http://127.0.0.1:PORT`) with a JSON body; status and parsed body. */
export async function daemonApi(
  base: string,
  path: string,
  init: RequestInit = {},
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are read loosely
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/api/v1${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: await response.json() };
}
