import { onBeforeUnmount, onMounted, type Ref, ref } from 'vue';
import { withToken } from './api.js';

// Live updates over the API's Server-Sent Events streams. EventSource reconnects by itself after a drop;
// the manager's `close` event (its shutdown) ends the stream for good until the page asks again.

/** A handler per event name; data is the event's parsed JSON. */
export type StreamHandlers = Record<string, (data: Record<string, unknown>) => void>;

/** Opens `path` (an SSE endpoint of the API) while the calling component is mounted. */
export function useStream(
  path: () => string,
  handlers: StreamHandlers,
): { connected: Ref<boolean>; reopen: () => void } {
  const connected = ref(false);
  let source: EventSource | undefined;
  const close = () => {
    source?.close();
    source = undefined;
    connected.value = false;
  };
  const open = () => {
    close();
    const stream = new EventSource(withToken(path()));
    source = stream;
    stream.addEventListener('ready', () => {
      connected.value = true;
    });
    stream.addEventListener('error', () => {
      connected.value = false;
    });
    stream.addEventListener('close', close);
    for (const [name, handler] of Object.entries(handlers)) {
      stream.addEventListener(name, (event) => {
        try {
          handler(JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown>);
        } catch {
          // A malformed event is skipped; the stream goes on.
        }
      });
    }
  };
  onMounted(open);
  onBeforeUnmount(close);
  return { connected, reopen: open };
}

/**
 * Calls `fn` now and again at most once per `ms` while events keep asking for it: many status events in a
 * burst (a restart storm) cost one reload of the list, not one each.
 */
export function coalesce(fn: () => unknown, ms = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let again = false;
  const run = () => {
    timer = setTimeout(() => {
      timer = undefined;
      if (again) {
        again = false;
        run();
        void fn();
      }
    }, ms);
  };
  return () => {
    if (timer) {
      again = true;
      return;
    }
    void fn();
    run();
  };
}

/** Calls `fn` every `ms` while the component is mounted (and the tab is visible). */
export function useInterval(fn: () => unknown, ms: number): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    timer = setInterval(() => {
      if (document.visibilityState === 'visible') void fn();
    }, ms);
  });
  onBeforeUnmount(() => clearInterval(timer));
}
