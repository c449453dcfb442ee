import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProcessLogger, logFormatOf } from '../../src/observability/logging.ts';

describe('log format', () => {
  it('is pretty only in development on a terminal, unless LOG_FORMAT says', () => {
    expect(logFormatOf({ NODE_ENV: 'development' }, true)).toBe('pretty');
    expect(logFormatOf({ NODE_ENV: 'development' }, false)).toBe('json');
    expect(logFormatOf({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(logFormatOf({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormatOf({ NODE_ENV: 'development', LOG_FORMAT: 'json' }, true)).toBe('json');
  });

  it('pretty lines are readable and redacted like JSON ones', async () => {
    let written = '';
    const prettyDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const logger = await createProcessLogger('info', 'pretty', { secrets: ['sk-live-0123456789'], prettyDestination });
    logger.info('calling with sk-live-0123456789', { requestId: 'req-1', authorization: 'Bearer abc.def' });
    logger.debug('below the level');
    expect(written).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: calling with \[redacted\]\n {4}requestId: "req-1"\n {4}authorization: "\[redacted\]"\n$/);
  });
});
