// On SIGUSR2, prints one `MEM {...}` line of this process's memory, which the bench reads (the same for
// every backend and relay it starts).
process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  const fields = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
  console.log(`MEM ${JSON.stringify({ ...fields, arrayBuffers: m.arrayBuffers })}`);
});
