/**
 * The gRPC-Web codec: the gRPC frame parser and the streaming base64 decoder give the same result for
 * every way a stream can be cut into chunks (every single split point, every byte alone, random cuts);
 * invalid base64 is refused; the trailer frame's layout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Base64StreamDecoder,
  GrpcFrameParser,
  InvalidBase64Error,
  messageFrame,
  parseTrailerBlock,
  TRAILER_FLAG,
  trailerFrame,
} from '../../../src/proxy/filters/grpc-web/codec.js';

/** A deterministic pseudo-random generator (tests must not flake). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function split(b: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts].sort((x, y) => x - y)) {
    out.push(b.subarray(at, c));
    at = c;
  }
  out.push(b.subarray(at));
  return out;
}

const frames = [
  messageFrame(Buffer.from('hello')),
  messageFrame(Buffer.alloc(0)),
  messageFrame(Buffer.alloc(70_000, 9)),
  messageFrame(Buffer.from([0, 1, 2, 3])),
  trailerFrame({ 'grpc-status': '0', 'x-meta': ['a', 'b'] }),
];
const stream = Buffer.concat(frames);

function parseAll(chunks: Buffer[]): Buffer[] {
  const p = new GrpcFrameParser();
  const out: Buffer[] = [];
  for (const c of chunks) out.push(...p.push(c));
  assert.equal(p.pending, 0);
  return out;
}

describe('GrpcFrameParser', () => {
  it('whole frames from one chunk', () => {
    assert.deepEqual(parseAll([stream]), frames);
  });

  it('the same frames for every single split point', () => {
    for (let i = 0; i <= stream.length; i += i < 200 || i > stream.length - 200 ? 1 : 997) {
      assert.deepEqual(parseAll(split(stream, [i])), frames, `split at ${i}`);
    }
  });

  it('the same frames when every byte of the headers arrives alone, and for random cuts', () => {
    const small = Buffer.concat([frames[0]!, frames[1]!, frames[3]!, frames[4]!]);
    assert.deepEqual(parseAll([...small].map((b) => Buffer.from([b]))), [frames[0], frames[1], frames[3], frames[4]]);
    const r = rng(42);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(r() * 20);
      const cuts = Array.from({ length: n }, () => Math.floor(r() * (stream.length + 1)));
      assert.deepEqual(parseAll(split(stream, cuts)), frames, `cuts ${cuts.join(',')}`);
    }
  });

  it('holds a partial frame until it completes', () => {
    const p = new GrpcFrameParser();
    const f = messageFrame(Buffer.from('abcdef'));
    assert.deepEqual(p.push(f.subarray(0, 3)), []);
    assert.deepEqual(p.push(f.subarray(3, 8)), []);
    assert.equal(p.pending, 8);
    assert.deepEqual(p.push(f.subarray(8)), [f]);
  });
});

describe('Base64StreamDecoder', () => {
  const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) % 256));
  const text = Buffer.from(payload.toString('base64'), 'latin1');

  function decodeAll(chunks: Buffer[]): Buffer {
    const d = new Base64StreamDecoder();
    const out: Buffer[] = [];
    chunks.forEach((c, i) => {
      const o = d.push(c, i === chunks.length - 1);
      if (o !== null) out.push(o);
    });
    return Buffer.concat(out);
  }

  it('decodes across every split point and random cuts', () => {
    for (let i = 0; i <= text.length; i++) assert.deepEqual(decodeAll(split(text, [i])), payload, `split at ${i}`);
    const r = rng(7);
    for (let round = 0; round < 200; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * (text.length + 1)));
      assert.deepEqual(decodeAll(split(text, cuts)), payload);
    }
  });

  it('accepts padding that ends a group inside the text (messages encoded one by one)', () => {
    const parts = [Buffer.from('a'), Buffer.from('bc'), Buffer.from('def'), Buffer.from('ghij')];
    const joined = Buffer.from(parts.map((p) => p.toString('base64')).join(''), 'latin1');
    assert.match(joined.toString(), /=.+=/);
    assert.equal(decodeAll([joined]).toString(), 'abcdefghij');
    for (let i = 0; i <= joined.length; i++) assert.equal(decodeAll(split(joined, [i])).toString(), 'abcdefghij');
  });

  it('returns null until a whole group is there', () => {
    const d = new Base64StreamDecoder();
    assert.equal(d.push(Buffer.from('YW'), false), null);
    assert.equal(d.push(Buffer.from('Jj'), false)?.toString(), 'abc');
    assert.equal(d.push(Buffer.alloc(0), true), null);
  });

  it('refuses characters outside the alphabet, misplaced padding and a partial last group', () => {
    for (const bad of ['!!!!', 'ab$d', 'a===', '=abc', 'ab=c', 'YWJj-_8=']) {
      assert.throws(() => new Base64StreamDecoder().push(Buffer.from(bad), true), InvalidBase64Error, bad);
    }
    assert.throws(() => new Base64StreamDecoder().push(Buffer.from('YWJjZ'), true), InvalidBase64Error);
    const d = new Base64StreamDecoder();
    assert.equal(d.push(Buffer.from('YWJjZ'), false)?.toString(), 'abc');
    assert.throws(() => d.push(Buffer.alloc(0), true), InvalidBase64Error);
  });
});

describe('trailer frames', () => {
  it('flag 0x80, a 4-byte big-endian length, name:value lines ending in CRLF', () => {
    const f = trailerFrame({ 'grpc-status': '14', 'grpc-message': 'no%20way', 'x-multi': ['1', '2'] });
    assert.equal(f[0], TRAILER_FLAG);
    const body = 'grpc-status:14\r\ngrpc-message:no%20way\r\nx-multi:1\r\nx-multi:2\r\n';
    assert.equal(f.readUInt32BE(1), body.length);
    assert.equal(f.subarray(5).toString('latin1'), body);
    assert.deepEqual(parseTrailerBlock(f.subarray(5)), { 'grpc-status': '14', 'grpc-message': 'no%20way', 'x-multi': '1,2' });
  });

  it('an empty trailer frame has length 0', () => {
    assert.deepEqual([...trailerFrame({})], [0x80, 0, 0, 0, 0]);
  });
});
