// `emulator [--host H] [--port P] [--config FILE] [--time-scale N] [--seed N]`: serves until SIGINT/SIGTERM.
import { ConfigError, resolveConfig, USAGE } from './config.ts';
import { startEmulator } from './server.ts';

async function main(): Promise<number | undefined> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let config;
  try {
    config = resolveConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`emulator: ${err.message}`);
      return 2;
    }
    throw err;
  }
  let emulator;
  try {
    emulator = await startEmulator(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`emulator: ${err.message}`);
      return 2;
    }
    console.error(
      `emulator: cannot listen on ${config.host}:${config.port}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
    return 1;
  }
  const demo = config.clients[0];
  const lines = [
    `emulator listening on ${emulator.url}`,
    `GENESYSCLOUD_API_URL=${emulator.url}`,
    `GENESYSCLOUD_LOGIN_URL=${emulator.url}`,
  ];
  if (demo)
    lines.push(`GENESYSCLOUD_OAUTHCLIENT_ID=${demo.id}`, `GENESYSCLOUD_OAUTHCLIENT_SECRET=${demo.secret}`);
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const s = emulator.stats() as {
      requests: { total: number; byRoute: Record<string, Record<string, number>> };
      earlyRetries: number;
      requestsWhileWaiting: number;
    };
    const throttled = Object.values(s.requests.byRoute).reduce(
      (n, byStatus) => n + (byStatus['429'] ?? 0),
      0,
    );
    emulator.close().then(() => {
      console.error(
        `emulator stopped (${signal}): ${s.requests.total} API request${s.requests.total === 1 ? '' : 's'}, ` +
          `${throttled} throttled (429), ` +
          `${s.earlyRetries} early retries, ${s.requestsWhileWaiting} while waiting`,
      );
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Started with an IPC channel (tools/emulator-process.mjs does), the emulator belongs to that parent: the
  // channel closes when the parent exits, however it died, and a parent killed with SIGKILL would otherwise
  // leave it listening for ever.
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => {
      // Whoever read the output may be gone with the parent.
      for (const out of [process.stdout, process.stderr]) out.on('error', () => {});
      stop('parent exited');
    });
  }
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err) => {
    console.error(`emulator: ${err?.stack ?? err}`);
    process.exitCode = 1;
  },
);
