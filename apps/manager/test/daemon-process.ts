// The daemon as a user runs it now lives in the private test-support package, shared with the CLI's tests.
export { type DaemonProcess, startDaemon } from '@myagent/test-support';
