/**
 * A small tour of mcpool: three real MCP servers (one in this process, one
 * over Streamable HTTP on 127.0.0.1, one as a stdio child process) behind one
 * client. It checks what it shows and exits non-zero if anything is off.
 */
import { MultiServerClient, ServerPool } from '@mcpool/core';
import { startHttpServer, startInProcessServer, stdioServerConfig } from '@mcpool/testkit';

const failures: string[] = [];
function check(what: string, ok: boolean): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

const local = startInProcessServer({ id: 'local' });
const http = await startHttpServer({ id: 'http' });
const pool = new ServerPool({ connectionTimeout: 10_000 });
pool.addServer({ id: 'local', name: 'In-process', transport: local.transport });
pool.addServer({ id: 'http', name: 'Streamable HTTP', transport: http.transport });
pool.addServer({
  id: 'stdio',
  name: 'Child process',
  transport: stdioServerConfig({ id: 'stdio' }),
});
pool.on('server:unhealthy', (e) =>
  console.log(`     server ${e.serverId} left selection: ${e.reason}`),
);

try {
  await pool.start();
  const client = new MultiServerClient(pool, { fallback: { enabled: true } });

  const tools = await client.listTools();
  check(
    `merged catalog lists each replicated tool once (${tools.length} tools)`,
    tools.filter((t) => t.name === 'add').length === 1,
  );

  const sum = await client.callTool({ name: 'add', arguments: { a: 5, b: 3 } });
  check('add(5, 3) = 8', JSON.stringify(sum.content).includes('"8"'));

  const seen = new Map<string, number>();
  await Promise.all(
    Array.from({ length: 30 }, async () => {
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      const id = (r.content as { text: string }[])[0]?.text ?? '?';
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }),
  );
  console.log('     30 calls spread as', Object.fromEntries(seen));
  check('round robin reached all three servers', seen.size === 3);

  http.kill();
  let ok = 0;
  for (let i = 0; i < 12; i++) {
    const r = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    if (JSON.stringify(r.content).includes('still here')) ok++;
  }
  check('every call succeeded after the HTTP server died (failover)', ok === 12);
  const metrics = client.getMetrics();
  console.log(
    `     client: ${metrics.totalRequests} requests, ${metrics.retries} retries, ${metrics.fallbackUsed} fallbacks`,
  );
  console.log(
    `     pool: ${pool.getMetrics().healthyServers} of ${pool.getMetrics().totalServers} servers healthy`,
  );
} finally {
  await pool.close();
  await http.close();
  await local.close();
}

if (failures.length > 0) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('all checks passed');
