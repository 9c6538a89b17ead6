import { reactive } from 'vue';

// One confirmation dialog for the whole console (App.vue shows it): destructive actions await it.

/** What the dialog asks, while it is open. */
export const pending = reactive<{ message: string; action: string; resolve?: (ok: boolean) => void }>({
  message: '',
  action: '',
});

/** Asks the user to confirm; resolves true for the action button, false for Cancel or Escape. */
export function confirmAction(message: string, action: string): Promise<boolean> {
  pending.resolve?.(false);
  return new Promise((resolve) => {
    Object.assign(pending, { message, action, resolve });
  });
}

/** Closes the dialog with the user's answer. */
export function answer(ok: boolean): void {
  const resolve = pending.resolve;
  Object.assign(pending, { message: '', action: '', resolve: undefined });
  resolve?.(ok);
}
