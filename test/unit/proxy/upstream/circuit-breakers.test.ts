import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreakers } from '../../../../src/proxy/upstream/circuit-breakers.js';
import { clusterStatsFor, createProxyStats } from '../../../../src/proxy/stats.js';
import type { Cluster } from '../../../../src/xds/envoy-types.js';

function cluster(t?: Record<string, unknown>[]): Cluster {
  return { name: 'c', ...(t !== undefined ? { circuit_breakers: { thresholds: t as NonNullable<Cluster['circuit_breakers']>['thresholds'] } } : {}) };
}

describe('circuit breakers', () => {
  it("uses Envoy's defaults (1024 / 1024 / 1024 / 3) without thresholds", () => {
    const cb = new CircuitBreakers();
    cb.configure(cluster(), false);
    assert.deepEqual([cb.maxConnections, cb.maxPendingRequests, cb.maxRequests, cb.maxRetries], [1024, 1024, 1024, 3]);
  });

  it('reads the DEFAULT priority entry and ignores HIGH', () => {
    const cb = new CircuitBreakers();
    cb.configure(cluster([{ priority: 'HIGH', max_requests: { value: 9 } }, { max_requests: { value: 2 }, max_retries: { value: 0 } }]), false);
    assert.equal(cb.maxRequests, 2);
    assert.equal(cb.maxRetries, 0);
    assert.equal(cb.maxConnections, 1024);
  });

  it('max_requests: the request past the limit overflows; a released slot is reused', () => {
    const stats = clusterStatsFor(createProxyStats(), 'c');
    const cb = new CircuitBreakers();
    cb.configure(cluster([{ max_requests: { value: 2 } }]), false);
    assert.equal(cb.tryAcquireRequest(stats), true);
    assert.equal(cb.tryAcquireRequest(stats), true);
    assert.equal(cb.tryAcquireRequest(stats), false);
    assert.equal(stats.upstream_rq_pending_overflow, 1);
    cb.releaseRequest();
    assert.equal(cb.tryAcquireRequest(stats), true);
    assert.equal(cb.requests, 2);
  });

  it('HTTP/1.1: past max_connections requests wait (cx overflow) up to max_pending_requests', () => {
    const stats = clusterStatsFor(createProxyStats(), 'c');
    const cb = new CircuitBreakers();
    cb.configure(cluster([{ max_connections: { value: 2 }, max_pending_requests: { value: 1 } }]), false);
    assert.equal(cb.tryAcquireRequest(stats), true);
    assert.equal(cb.tryAcquireRequest(stats), true);
    assert.equal(stats.upstream_cx_overflow, 0);
    assert.equal(cb.tryAcquireRequest(stats), true, 'waits for a connection');
    assert.equal(stats.upstream_cx_overflow, 1);
    assert.equal(cb.tryAcquireRequest(stats), false, 'past max_pending_requests');
    assert.equal(stats.upstream_rq_pending_overflow, 1);
  });

  it('HTTP/2: streams share connections, only max_requests applies', () => {
    const stats = clusterStatsFor(createProxyStats(), 'c');
    const cb = new CircuitBreakers();
    cb.configure(cluster([{ max_connections: { value: 1 }, max_pending_requests: { value: 0 }, max_requests: { value: 3 } }]), true);
    for (let i = 0; i < 3; i++) assert.equal(cb.tryAcquireRequest(stats), true);
    assert.equal(cb.tryAcquireRequest(stats), false);
    assert.equal(stats.upstream_cx_overflow, 0);
  });

  it('max_retries bounds concurrent retries', () => {
    const stats = clusterStatsFor(createProxyStats(), 'c');
    const cb = new CircuitBreakers();
    cb.configure(cluster([{ max_retries: { value: 1 } }]), false);
    assert.equal(cb.tryAcquireRetry(stats), true);
    assert.equal(cb.tryAcquireRetry(stats), false);
    assert.equal(stats.upstream_rq_retry_overflow, 1);
    cb.releaseRetry();
    assert.equal(cb.tryAcquireRetry(stats), true);
  });

  it('reconfiguring keeps the counters (a config update does not forget in-flight requests)', () => {
    const stats = clusterStatsFor(createProxyStats(), 'c');
    const cb = new CircuitBreakers();
    cb.configure(cluster([{ max_requests: { value: 1 } }]), false);
    assert.equal(cb.tryAcquireRequest(stats), true);
    cb.configure(cluster([{ max_requests: { value: 1 } }]), false);
    assert.equal(cb.tryAcquireRequest(stats), false);
  });
});
