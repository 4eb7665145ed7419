import { InvalidConfigError } from '@mcpool/core';
/**
 * The connectors a gateway's pools need besides core's built-in legacy one:
 * the modern-era connector of `@mcpool/connector-modern` when a server asks
 * for `protocol: "auto"` or `"2026-07-28"` (servers that name no `protocol`
 * are then `auto` too: core's default once a modern connector is registered),
 * else none. The package is an optional peer, loaded only then; without it
 * the first such server's `protocol` is an `InvalidConfigError` naming it.
 */
export async function connectorsFor(servers) {
    const modern = servers.find((server) => server.protocol === 'auto' || server.protocol === '2026-07-28');
    if (!modern)
        return [];
    // A variable, so that the gateway needs the package neither to build nor to install.
    const specifier = '@mcpool/connector-modern';
    let module;
    try {
        module = (await import(specifier));
    }
    catch (error) {
        const code = error.code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
            throw new InvalidConfigError('mcpool configuration', [
                {
                    path: `mcpServers.${modern.id}.protocol`,
                    message: `"${modern.protocol}" needs the package ${specifier}: install it beside @mcpool/gateway, or set the server's protocol to "legacy"`,
                },
            ]);
        }
        throw error;
    }
    return [module.modernConnector()];
}
//# sourceMappingURL=connectors.js.map