import { canonicalJson } from '@mcpool/core/internal';
import { LoggingLevelSchema } from '@modelcontextprotocol/sdk/types.js';
const LIST_DEBOUNCE_MS = 20;
/**
 * What a downstream session hears from its upstream pools: log messages,
 * updates of the resources it subscribed to, and changes of the merged
 * catalogs, sent as `list_changed` only when the merged view changed.
 */
export class SessionEvents {
    session;
    host;
    router;
    offs = [];
    fingerprints = { tools: '', prompts: '', resources: '' };
    listTimer;
    stopped = false;
    constructor(session, host, router) {
        this.session = session;
        this.host = host;
        this.router = router;
    }
    /** Follows the pools and takes the catalogs the client starts from. */
    async follow(pools) {
        for (const pool of pools)
            this.followPool(pool);
        this.fingerprints = await this.currentFingerprints(this.router);
    }
    stop() {
        this.stopped = true;
        clearTimeout(this.listTimer);
        this.listTimer = undefined;
        for (const off of this.offs.splice(0))
            off();
    }
    followPool(pool) {
        const changed = () => this.scheduleListCheck();
        const log = (event) => {
            const level = LoggingLevelSchema.safeParse(event.level);
            if (!level.success)
                return;
            this.session.server
                .sendLoggingMessage({ level: level.data, logger: event.serverId, data: event.data }, this.session.transport.sessionId)
                .catch(() => {
                // The downstream client went away; its session closes on its own.
            });
        };
        const notified = ({ serverId, notification, }) => {
            if (notification.method !== 'notifications/resources/updated')
                return;
            const uri = notification.params?.uri;
            if (typeof uri !== 'string' || !pool.subscriptions.holds(serverId, uri, this.session.id)) {
                return;
            }
            this.session.server.sendResourceUpdated({ uri }).catch(() => { });
        };
        pool.on('server:notification', notified);
        this.offs.push(() => pool.off('server:notification', notified));
        const events = [
            'catalog:changed',
            'server:healthy',
            'server:unhealthy',
            'server:removed',
        ];
        for (const event of events)
            pool.on(event, changed);
        pool.on('server:log', log);
        this.offs.push(() => {
            for (const event of events)
                pool.off(event, changed);
            pool.off('server:log', log);
        });
    }
    scheduleListCheck() {
        if (this.listTimer || this.stopped)
            return;
        this.listTimer = setTimeout(() => {
            this.listTimer = undefined;
            this.checkLists().catch((error) => {
                this.host.logger.warn({ session: this.session.id, err: this.host.redact(String(error)) }, 'could not compare catalogs');
            });
        }, LIST_DEBOUNCE_MS);
        this.listTimer.unref();
    }
    /** Sends `list_changed` for each list whose merged view changed since the client last heard. */
    async checkLists() {
        const router = this.router;
        if (this.stopped)
            return;
        const now = await this.currentFingerprints(router);
        const before = this.fingerprints;
        this.fingerprints = now;
        if (this.stopped)
            return;
        const sends = [];
        if (now.tools !== before.tools)
            sends.push(this.session.server.sendToolListChanged());
        if (now.prompts !== before.prompts)
            sends.push(this.session.server.sendPromptListChanged());
        if (now.resources !== before.resources)
            sends.push(this.session.server.sendResourceListChanged());
        await Promise.allSettled(sends);
    }
    async currentFingerprints(router) {
        const options = { key: this.session.id };
        const [tools, prompts, resources, templates] = await Promise.all([
            router.listTools(options).catch(() => []),
            router.listPrompts(options).catch(() => []),
            router.listResources(options).catch(() => []),
            router.listResourceTemplates(options).catch(() => []),
        ]);
        return {
            tools: canonicalJson(tools),
            prompts: canonicalJson(prompts),
            resources: canonicalJson([resources, templates]),
        };
    }
}
//# sourceMappingURL=session-events.js.map