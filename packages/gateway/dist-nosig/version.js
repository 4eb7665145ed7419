/** The gateway's version, as it introduces itself to clients and servers. */
export const VERSION = '0.1.0';
//# sourceMappingURL=version.js.map