/** This package's version, as the instrumentation scope reports it. */
export const VERSION = '0.1.0';
