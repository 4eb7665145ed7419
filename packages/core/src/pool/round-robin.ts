import type { Balancer } from '../spec/balancer.js';
import { NoServerAvailableError } from '../spec/errors.js';
import type { RequestInfo, ServerView } from '../spec/server.js';

/**
 * The pool's default balancer: even rotation over the candidates it is given.
 * One counter modulo the current list, so membership changes never send a
 * burst to one server. More strategies live in `@mcpool/balancers`.
 */
export function defaultRoundRobin(): Balancer {
  let counter = 0;
  return {
    name: 'round_robin',
    pick<S extends ServerView>(candidates: readonly S[], _request: RequestInfo): S {
      const n = candidates.length;
      if (n === 0) throw new NoServerAvailableError();
      const server = candidates[counter % n] as S;
      counter = (counter + 1) % 0x7fffffff;
      return server;
    },
  };
}
