// A WebSocket peer on 127.0.0.1 for the k6/ws tests, on the `ws` server. The path picks the behaviour:
//   /echo                       every message back, text as text, binary as binary
//   /close?code=&reason=&after= closes after `after` ms (default 50) with that code (default 1000)
//   /drop?after=                ends the TCP connection without a close frame
//   /reset?after=               resets the TCP connection
//   /bad?after=                 sends a frame with a reserved opcode (a protocol error)
//   /ping?n=                    pings n times, 30 ms apart, then closes with 1000
//   /push?n=                    sends n text messages m0..m(n-1) at once, then waits
//   /headers                    sends the upgrade request's headers as JSON
//   /refuse                     answers 403 with a small body instead of upgrading
// It keeps the close code each client sent.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WsPeer {
  /** ws://127.0.0.1:port */
  url: string;
  /** the close codes clients sent (1006: none), per path, in the order the connections ended */
  closes: { path: string; code: number }[];
  connections: number;
  close(): Promise<void>;
}

// the server side's TCP socket, which the `ws` server keeps to itself
const raw = (ws: object) => (ws as { _socket: Socket })._socket;

export async function startWsPeer(): Promise<WsPeer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(404);
    res.end('not a websocket');
  });
  // permessage-deflate for the clients that offer it (k6/ws's compression: 'deflate')
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  const peer: WsPeer = { url: '', closes: [], connections: 0, close: async () => {} };
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://peer');
    if (u.pathname === '/refuse') {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nX-Reason: test\r\n\r\nforbidden',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      peer.connections++;
      const p = u.searchParams;
      const after = Number(p.get('after') ?? 50);
      // The code of the client's close frame (1005: one without a code; 1006: none came).
      ws.on('close', (code) => peer.closes.push({ path: u.pathname, code }));
      switch (u.pathname) {
        case '/echo':
          ws.on('message', (data, binary) => ws.send(data, { binary }));
          break;
        case '/close':
          setTimeout(() => ws.close(Number(p.get('code') ?? 1000), p.get('reason') ?? ''), after);
          break;
        case '/drop':
          setTimeout(() => ws.terminate(), after);
          break;
        case '/reset':
          setTimeout(() => raw(ws).resetAndDestroy(), after);
          break;
        case '/bad':
          setTimeout(() => raw(ws).write(Buffer.from([0x8f, 0x00])), after);
          break;
        case '/ping': {
          let n = Number(p.get('n') ?? 2);
          const t = setInterval(() => {
            ws.ping('peer');
            if (--n > 0) return;
            clearInterval(t);
            setTimeout(() => ws.close(1000), 30);
          }, 30);
          break;
        }
        case '/push':
          for (let i = 0; i < Number(p.get('n') ?? 3); i++) ws.send(`m${i}`);
          break;
        case '/headers':
          ws.send(JSON.stringify(req.headers));
          break;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return peer;
}
