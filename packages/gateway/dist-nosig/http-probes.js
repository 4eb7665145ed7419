/** Liveness and readiness paths, answered before the Host, Origin and token checks: probes come from the kubelet. */
export const PROBE_PATHS = { live: '/healthz', ready: '/readyz' };
/**
 * Answers `/healthz` (200 while the process serves) and `/readyz` (200 when
 * `Gateway.readiness()` says ready, else 503 with the reason); false for any
 * other path. No guard applies: a kubelet asks with the pod's IP as Host and
 * no token, and the answers tell nothing but up or not.
 */
export function answerProbe(gateway, req, res) {
    const url = req.url ?? '';
    if (!url.startsWith(PROBE_PATHS.live) && !url.startsWith(PROBE_PATHS.ready))
        return false;
    const at = url.indexOf('?');
    const pathname = at < 0 ? url : url.slice(0, at);
    if (pathname !== PROBE_PATHS.live && pathname !== PROBE_PATHS.ready)
        return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return true;
    }
    const readiness = pathname === PROBE_PATHS.live ? { ready: true } : gateway.readiness();
    const body = JSON.stringify(readiness.ready ? { status: 'ok' } : { status: 'unavailable', reason: readiness.reason });
    res.writeHead(readiness.ready ? 200 : 503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
}
//# sourceMappingURL=http-probes.js.map