import { fileURLToPath } from 'node:url';

/**
 * A fixture agent written against the contract of @myagent/models only (no @myagent/agent): each test picks
 * its behaviour through the message text (see src/fixtures/test-agent.ts for the words it knows).
 */
export const TEST_AGENT = fileURLToPath(new URL('./fixtures/test-agent.ts', import.meta.url));
/** A module without any agent export, for the loaders' and the binary's refusals. */
export const NO_AGENT_MODULE = fileURLToPath(new URL('./fixtures/no-agent.ts', import.meta.url));
/**
 * A plain-JS agent that counts the user messages of its session in the session's state (so a restored session
 * goes on counting); a message starting with "slow" runs for FIXTURE_SLOW_MS (default 20 s), for failover.
 */
export const COUNTING_AGENT = fileURLToPath(new URL('./fixtures/counting-agent.mjs', import.meta.url));
