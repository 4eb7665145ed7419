/** The gateway's version, as it introduces itself to clients and servers. */
export declare const VERSION = "0.1.0";
//# sourceMappingURL=version.d.ts.map