/** Access-log format strings: compile once, render per request; JSON formats; filters. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { compileAccessLogFilter } from '../../../src/proxy/access-log/access-log-filter.js';
import { compileJsonFormat, compileStrftime, compileTextFormat, DEFAULT_FORMAT, type LogContext } from '../../../src/proxy/access-log/format.js';
import { ResponseFlag, responseFlagsString, type StreamInfo } from '../../../src/proxy/http/stream-info.js';
import { toStruct } from '../../../src/xds/envoy-types.js';

function ctx(over: Partial<StreamInfo> = {}, headers: Record<string, string> = {}, status = 200, url = '/p?q=1'): LogContext {
  const req = {
    method: 'GET',
    url,
    httpVersion: '1.1',
    headers: { host: 'example.com', 'user-agent': 'ua', 'x-request-id': 'rid', 'x-forwarded-for': '10.0.0.1', ...headers },
    socket: { remoteAddress: '::ffff:192.0.2.1', remotePort: 5555, localAddress: '::1', localPort: 8080 },
  } as unknown as IncomingMessage;
  const res = { headersSent: status !== 0, statusCode: status } as unknown as ServerResponse;
  const info: StreamInfo = {
    startTime: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    startHr: 1000,
    requestEndHr: 1002,
    responseStartHr: 1010,
    endHr: 1025.4,
    responseHeaders: ['X-Envoy-Upstream-Service-Time', '7', 'content-type', 'text/plain'],
    responseFlags: 0,
    bytesReceived: 3,
    bytesSent: 42,
    upstreamHost: '127.0.0.1:9000',
    upstreamCluster: 'c1',
    routeName: 'r1',
    healthCheck: false,
    ...over,
  };
  return { req, res, info };
}

describe('access-log text formats', () => {
  it("renders Envoy's default format", () => {
    const f = compileTextFormat(DEFAULT_FORMAT);
    assert.equal(
      f(ctx()),
      '[2024-01-02T03:04:05.678Z] "GET /p?q=1 HTTP/1.1" 200 - 3 42 25 7 "10.0.0.1" "ua" "rid" "example.com" "127.0.0.1:9000"\n',
    );
  });

  it('renders missing values as -, falls back with X?Y, truncates with :N', () => {
    const f = compileTextFormat('%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %REQ(X-NONE)% %REQ(USER-AGENT):1% %RESP(CONTENT-TYPE)% %UPSTREAM_CLUSTER% %ROUTE_NAME%');
    assert.equal(f(ctx()), '/p?q=1 - u text/plain c1 r1');
    assert.equal(f(ctx({}, { 'x-envoy-original-path': '/orig' })), '/orig - u text/plain c1 r1');
  });

  it('renders addresses, durations, flags and response code 0 before any response', () => {
    const f = compileTextFormat(
      '%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_LOCAL_ADDRESS% %REQUEST_DURATION% %RESPONSE_DURATION% %RESPONSE_FLAGS% %RESPONSE_CODE%',
    );
    assert.equal(f(ctx({ responseFlags: ResponseFlag.NoRouteFound })), '192.0.2.1:5555 192.0.2.1 [::1]:8080 2 10 NR 200');
    assert.equal(f(ctx({ responseFlags: ResponseFlag.DownstreamConnectionTermination | ResponseFlag.NoHealthyUpstream }, {}, 0)).endsWith(' UH,DC 0'), true);
  });

  it('reports unknown operators once at compile time and renders them as -', () => {
    const unknown: string[] = [];
    const f = compileTextFormat('a %NOPE% b %NOPE(x)%', (op) => unknown.push(op));
    assert.deepEqual(unknown, ['NOPE', 'NOPE']);
    assert.equal(f(ctx()), 'a - b -');
  });

  it('formats START_TIME with a strftime format', () => {
    const f = compileTextFormat('%START_TIME(%Y/%m/%d %H:%M:%S.%3f %s)%');
    assert.equal(f(ctx()), `2024/01/02 03:04:05.678 ${Math.floor(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000)}`);
    assert.equal(compileStrftime('%E3S|%F|%T')(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), '05.006|2024-01-02|03:04:05');
  });

  it('a literal-only format is a constant', () => {
    assert.equal(compileTextFormat('plain\n')(ctx()), 'plain\n');
  });

  it('flag strings follow Envoy', () => {
    assert.equal(responseFlagsString(0), '-');
    assert.equal(responseFlagsString(ResponseFlag.UpstreamConnectionFailure | ResponseFlag.UpstreamRequestTimeout), 'UT,UF');
  });
});

describe('access-log JSON formats', () => {
  it('keeps the type of single operators (numbers, null) and renders mixed strings', () => {
    const f = compileJsonFormat(toStruct({ status: '%RESPONSE_CODE%', path: '%REQ(:PATH)%', none: '%REQ(X-NONE)%', mixed: 'rt=%DURATION%ms', nested: { c: '%UPSTREAM_CLUSTER%' } }));
    const line = f(ctx());
    assert.ok(line.endsWith('\n'));
    assert.deepEqual(JSON.parse(line), { status: 200, path: '/p?q=1', none: null, mixed: 'rt=25ms', nested: { c: 'c1' } });
  });

  it('accepts plain JSON objects too', () => {
    assert.deepEqual(JSON.parse(compileJsonFormat({ m: '%REQ(:METHOD)%' })(ctx())), { m: 'GET' });
  });
});

describe('access-log filters', () => {
  const none = (): void => assert.fail('nothing unsupported');
  it('status_code_filter, duration_filter, not_health_check_filter', () => {
    const ge400 = compileAccessLogFilter({ status_code_filter: { comparison: { op: 'GE', value: { default_value: 400 } } } }, none);
    assert.equal(ge400(ctx()), false);
    assert.equal(ge400(ctx({}, {}, 503)), true);
    const eq = compileAccessLogFilter({ status_code_filter: { comparison: { op: 'EQ', value: { default_value: 200 } } } }, none);
    assert.equal(eq(ctx()), true);
    const slow = compileAccessLogFilter({ duration_filter: { comparison: { op: 'GE', value: { default_value: 20 } } } }, none);
    assert.equal(slow(ctx()), true);
    assert.equal(slow(ctx({ endHr: 1005 })), false);
    const nhc = compileAccessLogFilter({ not_health_check_filter: {} }, none);
    assert.equal(nhc(ctx({ healthCheck: true })), false);
    assert.equal(nhc(ctx()), true);
  });

  it('header_filter, response_flag_filter, and/or', () => {
    const debug = compileAccessLogFilter({ header_filter: { header: { name: 'x-debug', present_match: true } } }, none);
    assert.equal(debug(ctx()), false);
    assert.equal(debug(ctx({}, { 'x-debug': '1' })), true);
    const anyFlag = compileAccessLogFilter({ response_flag_filter: {} }, none);
    assert.equal(anyFlag(ctx()), false);
    assert.equal(anyFlag(ctx({ responseFlags: ResponseFlag.UpstreamRequestTimeout })), true);
    const uh = compileAccessLogFilter({ response_flag_filter: { flags: ['UH', 'UF'] } }, none);
    assert.equal(uh(ctx({ responseFlags: ResponseFlag.UpstreamRequestTimeout })), false);
    assert.equal(uh(ctx({ responseFlags: ResponseFlag.UpstreamConnectionFailure })), true);
    const or = compileAccessLogFilter(
      {
        or_filter: {
          filters: [
            { status_code_filter: { comparison: { op: 'GE', value: { default_value: 500 } } } },
            { and_filter: { filters: [{ not_health_check_filter: {} }, { header_filter: { header: { name: 'x-debug', present_match: true } } }] } },
          ],
        },
      },
      none,
    );
    assert.equal(or(ctx()), false);
    assert.equal(or(ctx({}, {}, 502)), true);
    assert.equal(or(ctx({}, { 'x-debug': '1' })), true);
    assert.equal(or(ctx({ healthCheck: true }, { 'x-debug': '1' })), false);
  });

  it('unsupported filters are reported and let lines through', () => {
    const seen: string[] = [];
    const p = compileAccessLogFilter({ runtime_filter: { runtime_key: 'k' } }, (w) => seen.push(w));
    assert.deepEqual(seen, ['runtime_filter']);
    assert.equal(p(ctx()), true);
  });
});
