// A node:http hello server in a process of its own, for the benchmarks that set the runner against real
// k6: its CPU is counted for neither engine, and keep-alive lasts the whole run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const SERVER = `
const server = require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
  res.end('hello');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

/** Starts the server; `url` is where it listens, `stop` ends its process. */
export async function helloProcess(): Promise<{ url: string; stop: () => void }> {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/`, stop: () => server.kill('SIGTERM') };
}
