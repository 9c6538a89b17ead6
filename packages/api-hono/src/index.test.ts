import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ApiOptions",
      "ApiToken",
      "DEFAULT_MAX_BODY_BYTES",
      "DEFAULT_SSE_HEARTBEAT_MS",
      "DEFAULT_SSE_MAX_BUFFERED_BYTES",
      "DEFAULT_SSE_MAX_STREAMS",
      "LOCAL_ACTOR",
      "createApi",
      "createTokenAuth",
      "errorResponse",
      "toAppError",
    ]
  `);
});
