import { reactive } from 'vue';
import { withToken } from './api.js';

// A chat session through the manager's `/ws`, as any client has one: the proxy routes the connection
// (to the service asked for, or by the rules), the agent streams its events, and every event is kept for
// the events pane. Messages are the protocol's JSON events (shared/spec/protocol.md).

/** One event as received (or sent, `out: true`). */
export interface ChatEvent {
  n: number;
  out: boolean;
  event: string;
  text: string;
  raw: Record<string, unknown>;
}

/** One line of the conversation. */
export interface Turn {
  role: 'user' | 'agent' | 'error';
  text: string;
  done: boolean;
}

/** A pending confirmation the user answers. */
export interface Confirmation {
  step_id: string;
  tool: string;
  args: unknown;
}

const MAX_EVENTS = 500;

/** Opens and drives one chat connection. */
export function createChat() {
  const state = reactive({
    status: 'closed' as 'closed' | 'connecting' | 'open',
    routedTo: '',
    sessionId: '',
    busy: false,
    events: [] as ChatEvent[],
    turns: [] as Turn[],
    confirmations: [] as Confirmation[],
  });
  let socket: WebSocket | undefined;
  let n = 0;

  const record = (out: boolean, message: Record<string, unknown>) => {
    const content = message.content ?? message.data ?? '';
    state.events.push({
      n: ++n,
      out,
      event: String(message.event ?? message.type ?? '?'),
      text: typeof content === 'string' ? content : JSON.stringify(content),
      raw: message,
    });
    if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  };

  const send = (message: Record<string, unknown>) => {
    if (socket?.readyState !== WebSocket.OPEN) return;
    record(true, message);
    socket.send(JSON.stringify(message));
  };

  const agentTurn = (): Turn => {
    const last = state.turns.at(-1);
    if (last && last.role === 'agent' && !last.done) return last;
    const turn: Turn = { role: 'agent', text: '', done: false };
    state.turns.push(turn);
    return state.turns.at(-1) as Turn;
  };

  const receive = (message: Record<string, unknown>) => {
    record(false, message);
    const metadata = (message.metadata ?? {}) as Record<string, unknown>;
    switch (message.event) {
      case 'connection_routed':
        state.routedTo = String((message.data as Record<string, unknown>)?.target_service ?? '');
        break;
      case 'agent.session_created':
        state.sessionId = String(message.session_id ?? '');
        break;
      case 'agent.partial_answer':
        if (typeof message.content === 'string') agentTurn().text += message.content;
        break;
      case 'agent.final_answer': {
        const turn = agentTurn();
        if (typeof message.content === 'string') turn.text = message.content;
        turn.done = true;
        state.busy = false;
        break;
      }
      case 'agent.user_confirm':
        state.confirmations.push({
          step_id: String(message.step_id ?? ''),
          tool: String(metadata.tool_name ?? ''),
          args: metadata.tool_args,
        });
        break;
      case 'agent.error':
      case 'agent.timeout':
      case 'agent.interrupted':
      case 'system.error':
      case 'error':
        state.turns.push({
          role: 'error',
          text: `${message.event}: ${typeof message.content === 'string' ? message.content : JSON.stringify(message.data ?? metadata)}`,
          done: true,
        });
        state.busy = false;
        break;
    }
  };

  const connect = (service: string) => {
    close();
    state.status = 'connecting';
    Object.assign(state, { routedTo: '', sessionId: '', busy: false, confirmations: [] });
    // `events=routed`: the proxy says where it sent us (connection_routed), which the chat shows.
    const path = `/ws?events=routed${service ? `&service=${encodeURIComponent(service)}` : ''}`;
    const ws = new WebSocket(withToken(path, 'ws'));
    socket = ws;
    ws.addEventListener('open', () => {
      state.status = 'open';
      send({ event: 'user.create_session' });
    });
    ws.addEventListener('message', (event) => {
      try {
        receive(JSON.parse(String(event.data)) as Record<string, unknown>);
      } catch {
        record(false, { event: '(not JSON)', content: String(event.data).slice(0, 200) });
      }
    });
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      state.status = 'closed';
      state.busy = false;
      record(false, { event: '(closed)', content: `${event.code} ${event.reason}` });
    });
  };

  const say = (text: string) => {
    if (!state.sessionId || !text.trim()) return;
    state.turns.push({ role: 'user', text, done: true });
    state.busy = true;
    send({ event: 'user.message', session_id: state.sessionId, content: text });
  };

  const answer = (confirmation: Confirmation, confirmed: boolean) => {
    state.confirmations = state.confirmations.filter((c) => c !== confirmation);
    send({
      event: 'user.response',
      session_id: state.sessionId,
      step_id: confirmation.step_id,
      content: { confirmed },
    });
  };

  const cancel = () => send({ event: 'user.cancel', session_id: state.sessionId });

  function close() {
    const ws = socket;
    socket = undefined;
    ws?.close(1000, 'closed from the console');
    state.status = 'closed';
  }

  return { state, connect, say, answer, cancel, close };
}
