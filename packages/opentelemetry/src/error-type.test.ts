import { AllServersFailedError, TimeoutError } from '@mcpool/core';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { errorType } from './error-type.js';

describe('errorType()', () => {
  it('names failures the way the conventions ask, low-cardinality', () => {
    expect(errorType(new McpError(ErrorCode.InternalError, 'boom'))).toBe('-32603');
    expect(errorType(new McpError(ErrorCode.RequestTimeout, 'slow'))).toBe('timeout');
    expect(errorType(new TimeoutError('tools/call "add"', 5))).toBe('timeout');
    expect(errorType(new AllServersFailedError('tools/call "add"', []))).toBe('ALL_SERVERS_FAILED');
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(errorType(refused)).toBe('ECONNREFUSED');
    expect(errorType(new RangeError('x'))).toBe('RangeError');
    expect(errorType(new Error('plain'))).toBe('_OTHER');
    expect(errorType('a string')).toBe('_OTHER');
  });
});
