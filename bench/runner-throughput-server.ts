// The peer for the runner throughput benchmark: a node:http hello server on 127.0.0.1, in its own
// process so it does not share a thread with the client being measured. Prints its port.
import http from 'node:http';

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
  res.end('hello');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.stdout.write(`${addr.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
