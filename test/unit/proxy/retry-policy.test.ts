import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttemptFailure, RetryPolicy } from '../../../src/proxy/router/retry-policy.js';

describe('RetryPolicy', () => {
  it('is null without a policy or with nothing to retry', () => {
    assert.equal(RetryPolicy.compile(undefined), null);
    assert.equal(RetryPolicy.compile({ retry_on: '' }), null);
    assert.equal(RetryPolicy.compile({ retry_on: 'grpc-cancelled' }), null);
    assert.equal(RetryPolicy.compile({ retry_on: '5xx', num_retries: { value: 0 } }), null);
  });

  it('defaults to one retry, 25 ms base and 10x max back-off', () => {
    const p = RetryPolicy.compile({ retry_on: '5xx' })!;
    assert.equal(p.numRetries, 1);
    assert.equal(p.perTryTimeoutMs, 0);
    assert.equal(p.baseIntervalMs, 25);
    assert.equal(p.maxIntervalMs, 250);
  });

  it('keeps a per-try timeout even when nothing is retried', () => {
    const p = RetryPolicy.compile({ retry_on: '', per_try_timeout: { seconds: 2 } })!;
    assert.equal(p.numRetries, 0);
    assert.equal(p.perTryTimeoutMs, 2000);
  });

  const table: [string, number[], number[], AttemptFailure[], AttemptFailure[]][] = [
    // retry_on, statuses retried, statuses not retried, failures retried, failures not retried
    ['5xx', [500, 502, 503, 504, 599], [200, 404, 409, 499], [AttemptFailure.ConnectFailure, AttemptFailure.Reset, AttemptFailure.PerTryTimeout], []],
    ['gateway-error', [502, 503, 504], [500, 501, 409], [AttemptFailure.ConnectFailure, AttemptFailure.Reset, AttemptFailure.PerTryTimeout], []],
    ['reset', [], [500, 503], [AttemptFailure.Reset, AttemptFailure.ConnectFailure, AttemptFailure.PerTryTimeout], []],
    ['connect-failure', [], [500, 503], [AttemptFailure.ConnectFailure], [AttemptFailure.Reset, AttemptFailure.PerTryTimeout]],
    ['retriable-4xx', [409], [400, 404, 500], [], [AttemptFailure.Reset, AttemptFailure.ConnectFailure]],
    ['retriable-status-codes', [418, 429], [500, 503], [], [AttemptFailure.Reset]],
    ['connect-failure, retriable-status-codes', [418], [500], [AttemptFailure.ConnectFailure], [AttemptFailure.Reset]],
  ];
  for (const [on, yes, no, fYes, fNo] of table) {
    it(`retry_on: ${on}`, () => {
      const p = RetryPolicy.compile({ retry_on: on, retriable_status_codes: [418, 429] })!;
      for (const s of yes) assert.equal(p.retriesStatus(s), true, `${on} retries ${s}`);
      for (const s of no) assert.equal(p.retriesStatus(s), false, `${on} does not retry ${s}`);
      for (const f of fYes) assert.equal(p.retriesFailure(f), true, `${on} retries failure ${f}`);
      for (const f of fNo) assert.equal(p.retriesFailure(f), false, `${on} does not retry failure ${f}`);
    });
  }

  it('backs off with full jitter, doubling up to the max interval', () => {
    const p = RetryPolicy.compile({
      retry_on: '5xx',
      num_retries: { value: 10 },
      retry_back_off: { base_interval: { seconds: 0, nanos: 100_000_000 }, max_interval: { seconds: 1 } },
    })!;
    // Ceilings: 100, 200, 400, 800, 1000, 1000 …
    const ceilings = [100, 200, 400, 800, 1000, 1000, 1000];
    ceilings.forEach((c, n) => {
      assert.equal(p.backOffMs(n, 0), 0);
      assert.equal(p.backOffMs(n, 0.5), c / 2);
      assert.ok(p.backOffMs(n, 0.999999) < c && p.backOffMs(n, 0.999999) >= c - 1, `retry ${n} stays under ${c}`);
    });
    assert.ok(p.backOffMs(1000, 0.999) < 1000, 'no overflow for large retry counts');
  });

  it('clamps a max interval below the base to the base', () => {
    const p = RetryPolicy.compile({
      retry_on: '5xx',
      retry_back_off: { base_interval: { seconds: 1 }, max_interval: { seconds: 0, nanos: 1_000_000 } },
    })!;
    assert.equal(p.maxIntervalMs, 1000);
  });
});
