import { fileURLToPath } from 'node:url';

/**
 * A fixture agent written against the contract of @myagent/models only (no @myagent/agent): each test picks
 * its behaviour through the message text (see src/fixtures/test-agent.ts for the words it knows).
 */
export const TEST_AGENT = fileURLToPath(new URL('./fixtures/test-agent.ts', import.meta.url));
/** A module without any agent export, for the loaders' and the binary's refusals. */
export const NO_AGENT_MODULE = fileURLToPath(new URL('./fixtures/no-agent.ts', import.meta.url));
