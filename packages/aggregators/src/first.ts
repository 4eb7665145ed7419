/**
 * The seed's "first successful", and the client's default: the balanced pick,
 * retries on other servers for safe requests (backoff, retry budget), then the
 * fallback order. One server at a time, so it is the only strategy that also
 * serves requests that are not safe to repeat.
 *
 * It lives in `@mcpool/core` because the client needs a default without this
 * package; this package offers it beside the other strategies.
 */
export { first } from '@mcpool/core';
