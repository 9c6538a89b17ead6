import type { AgentSessionState } from '@myagent/models';
import { AppError } from '@myagent/models';
import type { Session } from './connection.js';

// What a signed state holds (protocol.md): the session's id, step, agent state, a bounded message history
// and its pending confirmations.

/** Messages kept in an exported state: the most recent ones. */
export const EXPORTED_MESSAGES = 100;

/** Builds the exportable state of a session. */
export function exportSessionState(
  session: Session,
  agentName: string,
): { state: Record<string, unknown>; messageCount: number } {
  const messages = session.state.messages.slice(-EXPORTED_MESSAGES);
  return {
    messageCount: messages.length,
    state: {
      session_id: session.id,
      agent_name: agentName,
      current_step: session.state.current_step,
      agent_state: session.state.data,
      messages,
      messages_truncated: session.state.messages.length - messages.length,
      pending_confirmations: [...session.confirms.entries()].map(([step_id, pending]) => ({
        step_id,
        ...pending.request,
      })),
      exported_at: new Date().toISOString(),
    },
  };
}

/** Turns a verified state back into a session state, with warnings for what could not come back. */
export function importSessionState(
  raw: Record<string, unknown>,
  agentName: string,
): { state: AgentSessionState; originalSessionId?: string; warnings: string[] } {
  const warnings: string[] = [];
  const messages = Array.isArray(raw.messages) ? raw.messages : [];
  if (!messages.every((m) => typeof m === 'object' && m !== null && typeof m.role === 'string')) {
    throw new AppError('INVALID_STATE', 'Invalid signed state: malformed messages');
  }
  const data =
    typeof raw.agent_state === 'object' && raw.agent_state !== null && !Array.isArray(raw.agent_state)
      ? (raw.agent_state as Record<string, unknown>)
      : {};
  if (typeof raw.agent_name === 'string' && raw.agent_name !== agentName) {
    warnings.push(`The state was exported by agent '${raw.agent_name}', restored into '${agentName}'`);
  }
  const pending = Array.isArray(raw.pending_confirmations) ? raw.pending_confirmations.length : 0;
  if (pending > 0) warnings.push(`${pending} pending confirmation(s) were dropped; ask again`);
  if (typeof raw.messages_truncated === 'number' && raw.messages_truncated > 0) {
    warnings.push(`${raw.messages_truncated} older message(s) were not exported`);
  }
  return {
    state: {
      messages,
      current_step: typeof raw.current_step === 'number' ? raw.current_step : 0,
      data,
    },
    originalSessionId: typeof raw.session_id === 'string' ? raw.session_id : undefined,
    warnings,
  };
}
