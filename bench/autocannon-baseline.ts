// The reference the runner's throughput goal is stated against: autocannon with N connections (real k6
// reaches ~0.33x of it on the same server). Runs in this process, like autocannon's own CLI.
import autocannon from 'autocannon';

export async function autocannonBaseline(
  url: string,
  connections: number,
  seconds: number,
): Promise<{ rps: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const r = await autocannon({ url, connections, duration: seconds });
  if (r.errors || r.non2xx) throw new Error(`autocannon: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
  const c = process.cpuUsage(c0);
  return { rps: r.requests.total / seconds, cpuUs: (c.user + c.system) / r.requests.total };
}
