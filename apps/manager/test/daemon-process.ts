// The daemon's HTTP API as the daemon tests call it (the daemon process itself is test-support's startDaemon).
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
