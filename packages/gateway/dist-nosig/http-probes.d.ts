import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from './gateway.js';
/** Liveness and readiness paths, answered before the Host, Origin and token checks: probes come from the kubelet. */
export declare const PROBE_PATHS: {
    readonly live: "/healthz";
    readonly ready: "/readyz";
};
/**
 * Answers `/healthz` (200 while the process serves) and `/readyz` (200 when
 * `Gateway.readiness()` says ready, else 503 with the reason); false for any
 * other path. No guard applies: a kubelet asks with the pod's IP as Host and
 * no token, and the answers tell nothing but up or not.
 */
export declare function answerProbe(gateway: Gateway, req: IncomingMessage, res: ServerResponse): boolean;
//# sourceMappingURL=http-probes.d.ts.map