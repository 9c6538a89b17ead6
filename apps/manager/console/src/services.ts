import { ref } from 'vue';
import { api } from './api.js';
import { coalesce, useInterval, useStream } from './live.js';
import type { Service, ServiceList } from './types.js';

// The list of services, kept live: reloaded whenever the event stream says a service changed (status,
// registration, restart, health), and every few seconds for the counters the stream does not carry.

/** Every service, live while the calling component is mounted. */
export function useServices(extra?: () => void) {
  const services = ref<Service[]>([]);
  const loaded = ref(false);
  const error = ref('');
  const load = async () => {
    try {
      services.value = (await api<ServiceList>('/services?limit=1000')).services;
      error.value = '';
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      loaded.value = true;
    }
  };
  const reload = coalesce(() => Promise.all([load(), extra?.()]));
  const changed = () => reload();
  const { connected } = useStream(
    () => '/api/v1/events?types=status,service,restart,restart_limit,health,connections',
    {
      ready: changed,
      status: changed,
      service: changed,
      restart: changed,
      restart_limit: changed,
      health: changed,
      connections: changed,
    },
  );
  useInterval(reload, 5_000);
  return { services, loaded, error, connected, reload };
}
