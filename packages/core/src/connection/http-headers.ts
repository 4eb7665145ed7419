import { InvalidConfigError } from '../spec/errors.js';

/*
 * The headers NodeHttpClientTransport sends: what a configured or
 * server-given value may hold, checked once, as its own HTTP/1.1 client
 * writes them into the request's head as they are.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may hold: printable ASCII and tab (no CR, LF or NUL to inject with). */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
/** Headers the transport writes itself, from the request: configured ones are not sent. */
const OWN_HEADERS = new Set(['accept', 'content-type', 'content-length']);
/** Headers that would change how a request is framed or kept: refused when configured. */
const FRAMING_HEADERS = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'te']);

/** True when `value` can be written as a header value: printable ASCII and tabs. */
export function isHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/**
 * Reads the configured headers: names lower-cased, a name or value that
 * could inject a header (CR, LF, NUL) or change the request's framing is
 * refused at once, with every problem listed.
 */
export function checkHeaders(configured: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  const issues: { path: string; message: string }[] = [];
  for (const [name, value] of Object.entries(configured)) {
    const key = name.toLowerCase();
    if (!TOKEN.test(name)) {
      issues.push({ path: `headers.${JSON.stringify(name)}`, message: 'not a valid header name' });
    } else if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      issues.push({
        path: `headers.${name}`,
        message:
          'a header value holds printable ASCII and tabs only (no CR, LF, NUL or other control character)',
      });
    } else if (FRAMING_HEADERS.has(key)) {
      issues.push({
        path: `headers.${name}`,
        message: 'the transport sets how requests are framed and kept; remove this header',
      });
    } else if (!OWN_HEADERS.has(key)) headers[key] = value;
  }
  if (issues.length > 0) throw new InvalidConfigError('Streamable HTTP headers', issues);
  return headers;
}
