import { InvalidConfigError } from '@mcpool/core';
import { sleep } from '@mcpool/core/internal';
async function load() {
    // A variable specifier: the gateway neither needs the package to build nor installs it for everyone.
    const specifier = '@mcpool/discovery';
    try {
        return (await import(specifier));
    }
    catch (error) {
        const code = error.code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
            throw new InvalidConfigError('mcpool configuration', [
                {
                    path: 'discovery',
                    message: `needs the package ${specifier}: install it beside @mcpool/gateway`,
                },
            ]);
        }
        throw error;
    }
}
/**
 * Builds the configured discovery source (every problem reported under
 * `discovery.…`). `baseDir` is where a `file` source's path starts: the
 * configuration file's folder.
 */
export async function gatewayDiscovery(config, options) {
    const settings = config.discovery;
    if (!settings)
        throw new Error('gatewayDiscovery() needs a configuration with a discovery key');
    const d = await load();
    let source;
    try {
        source = d.shareSource(d.sourceFromConfig(settings.source, { baseDir: options.baseDir }));
    }
    catch (error) {
        if (d.DiscoveryError.isInstance(error) && 'issues' in error) {
            const issues = error.issues;
            throw new InvalidConfigError('mcpool configuration', issues.map((i) => ({
                path: i.path ? `discovery.${i.path}` : 'discovery',
                message: i.message,
            })));
        }
        throw error;
    }
    const stateless = settings.stateless === true;
    const scope = stateless ? 'shared' : 'session';
    const own = config.servers
        .filter((s) => (s.stateless === true) === stateless)
        .map(({ stateless: _s, ...server }) => server);
    const logger = options.logger;
    let resolved = false;
    const resolveOnce = async (signal) => {
        const resolution = await source.resolve(signal);
        const { servers, issues } = d.validateEntries(resolution.entries);
        resolved = true;
        return {
            source: source.name,
            servers: servers.map((s) => ({ ...s, stateless })),
            issues,
        };
    };
    return {
        source: source.name,
        resolveOnce,
        async firstSet(signal) {
            for (let failures = 0;; failures++) {
                try {
                    const found = await resolveOnce(signal);
                    // Nothing to serve yet (no pod ready): wait, as for a failure.
                    if (found.servers.length > 0)
                        return found;
                    resolved = false;
                    throw new Error(`${source.name} reports no server yet`);
                }
                catch (error) {
                    signal?.throwIfAborted();
                    logger?.warn({ source: source.name, err: String(error) }, 'discovery has no first set yet; retrying');
                    await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), signal);
                }
            }
        },
        resolved: () => resolved,
        extension: ({ pool, scope: poolScope }) => {
            if (poolScope !== scope)
                return undefined;
            const running = d.discover(pool, source, { ...settings.rules, include: own });
            running.on('discovery:update', ({ added, removed, updated }) => {
                resolved = true;
                if (added.length + removed.length + updated.length > 0)
                    logger?.info({ source: source.name, added, removed, updated }, 'discovery changed the pool');
            });
            running.on('discovery:error', ({ error }) => logger?.warn({ source: source.name, err: error.message }, 'discovery failed; the pool keeps its servers'));
            running.on('discovery:held', (held) => logger?.warn({ source: source.name, ...held }, 'discovery held a change back'));
            return () => running.stop();
        },
    };
}
/** The lines `mcpool check` prints about what discovery found. */
export function formatFindings(found) {
    const lines = [
        `discovery: ${found.source} found ${found.servers.length} server${found.servers.length === 1 ? '' : 's'}`,
    ];
    for (const s of found.servers) {
        const t = s.transport;
        lines.push(`  ${s.id}  ${'url' in t ? t.url : t.type}`);
    }
    for (const i of found.issues)
        lines.push(`  skipped ${i.path}: ${i.message}`);
    return `${lines.join('\n')}\n\n`;
}
//# sourceMappingURL=discovery.js.map