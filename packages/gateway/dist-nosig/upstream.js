import { MultiServerClient, ServerPool, } from '@mcpool/core';
/** Creates a pool and its client, applies the extensions and starts the pool. */
export async function openUpstream(spec) {
    const pool = new ServerPool({
        ...spec.pool,
        ...(spec.balancer ? { balancer: spec.balancer() } : {}),
        handlers: spec.handlers,
        servers: spec.servers.map(({ stateless: _stateless, sessionState: _state, ...server }) => server),
    });
    const client = new MultiServerClient(pool, {
        ...spec.client,
        ...(spec.aggregation ? { aggregation: spec.aggregation() } : {}),
    });
    const upstream = { scope: spec.scope, pool, client };
    const detaches = [];
    const close = async () => {
        await client.close();
        for (const detach of detaches.splice(0).reverse()) {
            try {
                await detach();
            }
            catch (error) {
                pool.emit('pool:error', { source: 'gateway extension', error });
            }
        }
        await pool.close();
    };
    try {
        for (const extension of spec.extensions) {
            const detach = await extension(upstream);
            if (detach)
                detaches.push(detach);
        }
        await pool.start();
    }
    catch (error) {
        await close();
        throw error;
    }
    return { ...upstream, close };
}
//# sourceMappingURL=upstream.js.map