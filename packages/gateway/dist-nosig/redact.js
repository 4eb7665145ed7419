const MIN_SECRET = 4;
const MASK = '[redacted]';
/**
 * Builds a redactor from the servers' configuration: every header value, env
 * value, URL password and query value (and any extra secret such as the bearer
 * token) is masked wherever it appears. Upstream errors can echo these (a URL in
 * a fetch error, a header in a proxy's answer); downstream clients must never see them.
 */
export function createRedactor(servers, extra = []) {
    const secrets = new Set();
    const add = (value) => {
        if (value !== undefined && value.length >= MIN_SECRET)
            secrets.add(value);
    };
    for (const server of servers) {
        const t = server.transport;
        if (t.type === 'stdio') {
            for (const v of Object.values(t.env ?? {}))
                add(v);
        }
        else if (t.type === 'streamable-http' || t.type === 'sse') {
            for (const v of Object.values(t.headers ?? {})) {
                add(v);
                // `Bearer abc` leaks as `abc` too.
                const space = v.indexOf(' ');
                if (space > 0)
                    add(v.slice(space + 1));
            }
            if (URL.canParse(t.url)) {
                const url = new URL(t.url);
                add(decodeURIComponent(url.password));
                add(url.password);
                for (const v of url.searchParams.values())
                    add(v);
                if (url.search.length > 1)
                    add(url.search.slice(1));
            }
        }
    }
    for (const v of extra)
        add(v);
    const list = [...secrets].sort((a, b) => b.length - a.length);
    if (list.length === 0)
        return (text) => text;
    return (text) => {
        let out = text;
        for (const secret of list) {
            if (out.includes(secret))
                out = out.split(secret).join(MASK);
        }
        return out;
    };
}
//# sourceMappingURL=redact.js.map