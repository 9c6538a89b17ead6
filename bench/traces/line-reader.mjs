// Drains a myagent-ws server's stdout from stdin in its own process and counts its lines; parses only
// until the server says where it listens. The manager's cost of reading trace lines is measured by the
// ingest part of the benchmark; here only the agent server's own cost of tracing should show.
// IPC: sends {port} once the server is listening; answers {cmd: 'lines'} with the count so far.
let lines = 0;
let head = '';
process.stdin.on('data', (chunk) => {
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  if (head === null) return;
  head += chunk.toString();
  const match = /"msg":"listening","url":"ws:\/\/[^:]+:(\d+)"/u.exec(head);
  if (match) {
    process.send?.({ port: Number(match[1]) });
    head = null;
  }
});
process.on('message', (message) => {
  if (message.cmd === 'lines') process.send?.({ lines });
});
process.on('disconnect', () => process.exit(0));
