const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/**
 * Replaces `${env:NAME}` in every string of the document with the variable's
 * value, so that secrets can stay out of the file. A missing variable is a problem
 * with its path.
 */
export function expandEnv(value, env, path, issues) {
    if (typeof value === 'string') {
        return value.replace(ENV_REF, (whole, name) => {
            const found = env[name];
            if (found === undefined) {
                issues.push({ path, message: `the environment variable ${name} is not set` });
                return whole;
            }
            return found;
        });
    }
    if (Array.isArray(value))
        return value.map((v, i) => expandEnv(v, env, `${path}[${i}]`, issues));
    if (typeof value === 'object' && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [
            k,
            expandEnv(v, env, path ? `${path}.${k}` : k, issues),
        ]));
    }
    return value;
}
//# sourceMappingURL=config-env.js.map