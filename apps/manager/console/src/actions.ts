import { ref } from 'vue';
import { api } from './api.js';
import { confirmAction } from './confirm.js';
import type { Service } from './types.js';

// Start, stop, restart and unregister, as every page that lists services offers them: the destructive ones
// ask first, and whatever the API answers is shown, never swallowed.

/** The four service actions and the last message they produced. */
export function useServiceActions(after?: () => unknown) {
  const busy = ref<string>('');
  const message = ref('');
  const failed = ref(false);
  const run = async (service: Service, action: 'start' | 'stop' | 'restart' | 'unregister') => {
    if (action !== 'start') {
      const text = {
        stop: `Stop ${service.name}? Its connections are closed.`,
        restart: `Restart ${service.name}? Its connections are closed.`,
        unregister: `Unregister ${service.name}? It is stopped and removed from the manager.`,
      }[action];
      const label = { stop: 'Stop', restart: 'Restart', unregister: 'Unregister' }[action];
      if (!(await confirmAction(text, label))) return;
    }
    busy.value = `${service.service_id}:${action}`;
    try {
      const answer = await api<{ message: string }>(
        action === 'unregister'
          ? `/services/${service.service_id}`
          : `/services/${service.service_id}/${action}`,
        { method: action === 'unregister' ? 'DELETE' : 'POST' },
      );
      message.value = answer.message;
      failed.value = false;
    } catch (e) {
      message.value = `${service.name}: ${(e as Error).message}`;
      failed.value = true;
    } finally {
      busy.value = '';
      await after?.();
    }
  };
  return { run, busy, message, failed };
}
