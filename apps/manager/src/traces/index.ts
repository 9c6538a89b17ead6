import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, type Service, type TraceDetailResponse, traceSpans } from '@myagent/models';
import type { RouteContext } from '@myagent/router';
import type { ListTracesOptions, TracePage, TraceRepository } from '@myagent/storage-kysely';
import { TraceHub, type TraceHubOptions } from './hub.js';
import { createOtlpExporter, type OtlpExporterOptions } from './otlp.js';
import type { RoutedAgent } from './start-agent.js';
import { createTraceStream, type TraceStream, type TraceStreamOptions } from './ws.js';

// Traces joined to a running manager: the hub that claims the agent servers' trace lines, the
// `/ws/traces` endpoints, and the optional OTLP export. The manager keeps one of these per start.

/** `AgentManagerOptions.traces`: retention, stream bounds and OTLP export. */
export interface ManagerTraceOptions extends Omit<TraceHubOptions, 'onError'>, TraceStreamOptions {
  /**
   * OTLP/HTTP export of finished runs; default from OTEL_EXPORTER_OTLP_ENDPOINT (off when unset).
   * `false` turns it off whatever the environment says.
   */
  otlp?: OtlpExporterOptions | false;
}

/** What traces need of the manager. */
export interface TraceManagerSide {
  routeConnection(context: RouteContext): Promise<Service>;
  findService(idOrName: string): Promise<Service | undefined>;
  fail(error: unknown): void;
}

/** The traces of a running manager. */
export interface ManagerTraces {
  readonly hub: TraceHub;
  readonly stream: TraceStream;
  list(options: ListTracesOptions): Promise<TracePage>;
  /** The run with its events and spans. @throws AppError NOT_FOUND */
  get(traceId: string): Promise<TraceDetailResponse>;
  close(): Promise<void>;
}

/** Starts the hub, the stream endpoints and the export over the trace repository. */
export function startTraces(
  store: TraceRepository,
  manager: TraceManagerSide,
  options: ManagerTraceOptions = {},
): ManagerTraces {
  const fail = (error: unknown) => manager.fail(error);
  const hub = new TraceHub(store, { ...options, onError: fail });
  const exporter =
    options.otlp === false ? undefined : createOtlpExporter({ ...options.otlp, onError: fail });
  const offExport = exporter
    ? hub.subscribe({}, (event) => {
        if (event.event_type !== 'trace_completed') return;
        // Read back once stored, so the export sees exactly what the API serves.
        void hub
          .flush()
          .then(() => get(event.data.trace_id))
          .then((detail) => exporter.export(detail))
          .catch(fail);
      })
    : undefined;
  const route = async (context: RouteContext, name?: string): Promise<RoutedAgent> => {
    let service: Service | undefined;
    if (name !== undefined) {
      service = await manager.findService(name);
      if (!service)
        throw new AppError('SERVICE_NOT_FOUND', `No service '${name}'`, { details: { service: name } });
      if (service.status !== 'running') {
        throw new AppError('ROUTING_FAILED', `The service '${service.name}' is not running`);
      }
    } else {
      service = await manager.routeConnection(context);
    }
    return { service_id: service.service_id, name: service.name, endpoint: service.endpoint };
  };
  const stream = createTraceStream({ hub: () => hub, route }, options);
  async function get(traceId: string): Promise<TraceDetailResponse> {
    await hub.flush();
    const found = await store.get(traceId);
    if (!found)
      throw new AppError('NOT_FOUND', `No trace '${traceId.slice(0, 128)}'`, {
        details: { trace_id: traceId.slice(0, 128) },
      });
    return { ...found, spans: traceSpans(found.trace, found.events) };
  }
  return {
    hub,
    stream,
    list: async (query) => {
      await hub.flush();
      return store.list(query);
    },
    get,
    close: async () => {
      await stream.close();
      offExport?.();
      await hub.close();
      await exporter?.close();
    },
  };
}

/** The `/ws/traces` upgrade handler of whichever traces are running (503 while the manager is not). */
export function traceUpgrade(
  current: () => ManagerTraces | undefined,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    const traces = current();
    if (!traces) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    traces.stream.handleUpgrade(request, socket, head);
  };
}
