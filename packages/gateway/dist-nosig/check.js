import { MultiServerClient, ServerPool } from '@mcpool/core';
import { connectorsFor } from './connectors.js';
import { createRedactor } from './redact.js';
import { VERSION } from './version.js';
/** Connects to every configured server (in parallel), pings it and lists its tools. */
export async function checkServers(config, options = {}) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const redact = createRedactor(config.servers, [config.http.token]);
    const connectors = await connectorsFor(config.servers);
    const pool = new ServerPool({
        ...(connectors.length > 0 ? { connectors } : {}),
        connectionTimeout: timeoutMs,
        // One try each: a check reports, it does not wait for servers to come back.
        reconnect: { baseMs: 3_600_000, maxMs: 3_600_000 },
        clientInfo: { name: 'mcpool-check', version: VERSION },
        servers: config.servers.map(({ stateless: _s, sessionState: _t, ...server }) => server.transport.type === 'stdio'
            ? { ...server, transport: { ...server.transport, stderr: 'ignore' } }
            : server),
    });
    const client = new MultiServerClient(pool, { maxRetries: 0, retryBudget: false });
    const stop = () => {
        void pool.close();
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
        await pool.start();
        return await Promise.all(config.servers.map(async (server) => {
            const transport = server.transport.type === 'stdio'
                ? 'stdio'
                : server.transport.type === 'sse'
                    ? 'sse'
                    : 'http';
            const row = {
                server: server.name ?? server.id,
                transport,
                stateless: server.stateless === true,
                status: 'down',
                era: undefined,
                latencyMs: undefined,
                tools: [],
                reason: undefined,
            };
            const view = pool.server(server.id);
            if (view?.state !== 'connected') {
                const why = pool.exclusions(server.id).connection ?? view?.state ?? 'not connected';
                row.reason = redact(why.replace(/^Could not connect to server "[^"]*": /, ''));
                return row;
            }
            row.era = view.era;
            const started = performance.now();
            try {
                await client.ping({ server: server.id, timeout: timeoutMs });
                row.latencyMs = performance.now() - started;
                row.status = 'ok';
            }
            catch (error) {
                row.reason = redact(`ping failed: ${error instanceof Error ? error.message : String(error)}`);
            }
            row.tools = (pool.catalog.get(server.id)?.tools ?? []).map((t) => t.name);
            return row;
        }));
    }
    finally {
        options.signal?.removeEventListener('abort', stop);
        await client.close();
        await pool.close();
    }
}
/** The table `mcpool check` prints. */
export function formatCheckTable(rows, width = 100) {
    const header = ['SERVER', 'TRANSPORT', 'HEALTH', 'LATENCY', 'TOOLS'];
    const cells = rows.map((r) => [
        r.server,
        r.stateless ? `${r.transport} (shared)` : r.transport,
        r.status,
        r.latencyMs === undefined ? '-' : `${r.latencyMs.toFixed(1)} ms`,
        r.status === 'ok' ? String(r.tools.length) : '-',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
    const line = (c) => c
        .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    const used = widths.slice(0, -1).reduce((n, w) => n + w + 2, 0);
    const out = [line(header)];
    rows.forEach((r, i) => {
        const c = cells[i] ?? [];
        let tools = c[4] ?? '';
        if (r.status === 'ok' && r.tools.length > 0) {
            const names = r.tools.join(', ');
            const room = Math.max(20, width - used - tools.length - 3);
            tools += `  ${names.length > room ? `${names.slice(0, room - 1)}…` : names}`;
        }
        out.push(line([...c.slice(0, 4), tools]));
    });
    const down = rows.filter((r) => r.status !== 'ok');
    if (down.length > 0) {
        out.push('');
        for (const r of down)
            out.push(`${r.server}: ${r.reason ?? 'down'}`);
    }
    const ok = rows.length - down.length;
    out.push('');
    out.push(`${ok} of ${rows.length} server${rows.length === 1 ? '' : 's'} ok`);
    return `${out.join('\n')}\n`;
}
//# sourceMappingURL=check.js.map