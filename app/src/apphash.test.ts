import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { changeSetDigest, nextAppHash, nextAppHashPacked } from './apphash.ts';
import { packWrites } from './parallel/pack.ts';
import { Overlay, MemKV, type Key, type Value, bytesToBin } from './store/kv.ts';

type Writes = [Key, Value | null][];
const b = (s: string): Value => s;
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const sorted = (w: Writes): Writes => [...w].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));

test('same writes give the same hash; the hash chains over the previous one', () => {
  const w: Writes = [['a', b('1')], ['b', null], ['c', b('')]];
  const h1 = nextAppHash(new Uint8Array(), w);
  assert.equal(h1.length, 32);
  assert.equal(hex(nextAppHash(new Uint8Array(), w.map(([k, v]) => [k, v === null ? null : bytesToBin(Buffer.from(v, 'latin1'))]))), hex(h1));
  // Same change set, different history: different hash.
  assert.notEqual(hex(nextAppHash(h1, w)), hex(h1));
  assert.notEqual(hex(nextAppHash(new Uint8Array(32), w)), hex(h1));
  // An empty block still advances the chain.
  assert.notEqual(hex(nextAppHash(h1, [])), hex(h1));
});

test('Overlays written in different orders hash the same through sortedWrites', () => {
  const x = new Overlay(new MemKV());
  const y = new Overlay(new MemKV());
  x.set('b', b('2')); x.set('a', b('1')); x.delete('c');
  y.delete('c'); y.set('a', b('1')); y.set('b', b('2'));
  assert.equal(hex(nextAppHash(new Uint8Array(), x.sortedWrites())), hex(nextAppHash(new Uint8Array(), y.sortedWrites())));
});

test('encoding is unambiguous: key/value boundaries, delete vs empty value', () => {
  const d = (w: Writes) => hex(changeSetDigest(w));
  assert.notEqual(d([['ab', b('c')]]), d([['a', b('bc')]]));
  assert.notEqual(d([['a', null]]), d([['a', b('')]]));
  assert.notEqual(d([['a', b('')], ['b', b('')]]), d([['a', b('\x00\x00\x00\x01b\x01\x00\x00\x00\x00')]]));
  assert.notEqual(d([]), d([['', b('')]]));
});

const keyArb = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }).map((a) => String.fromCharCode(...a));
const valArb = fc.option(fc.uint8Array({ maxLength: 12 }).map(bytesToBin), { freq: 4 });
const writesArb = fc.uniqueArray(fc.tuple(keyArb, valArb), { minLength: 1, maxLength: 8, selector: ([k]) => k }).map((w) => sorted(w as Writes));

test('any single byte flip in a key or value, or delete vs set, changes the hash (property)', () => {
  fc.assert(fc.property(writesArb, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('key', 'value', 'toggle'), (w, which, at, xor, what) => {
    const base = hex(nextAppHash(new Uint8Array(), w));
    const i = which % w.length;
    const [k, v] = w[i] as [Key, Value | null];
    const m: Writes = w.map(([kk, vv]) => [kk, vv]);
    if (what === 'key') {
      const j = at % k.length;
      m[i] = [k.slice(0, j) + String.fromCharCode(k.charCodeAt(j) ^ xor) + k.slice(j + 1), v];
    } else if (what === 'value' && v !== null && v.length > 0) {
      const j = at % v.length;
      m[i] = [k, v.slice(0, j) + String.fromCharCode(v.charCodeAt(j) ^ xor) + v.slice(j + 1)];
    } else {
      // delete <-> set (a set of the same bytes, or an empty value for a delete)
      m[i] = [k, v === null ? '' : null];
    }
    assert.notEqual(hex(nextAppHash(new Uint8Array(), m)), base);
    // The input was not mutated, so hashing it again gives the original.
    assert.equal(hex(nextAppHash(new Uint8Array(), w)), base);
  }), { numRuns: 500 });
});

test('the app hash formula is pinned: a fixed change set gives a fixed hash, packed or not', () => {
  const w: Writes = [['a', b('1')], ['b', null], ['c\u00ff', b('xyz')]];
  const prev = new Uint8Array(32).fill(7);
  const want = '5a841a469c38c25a876a9463107b0526573375f624f88ce0414f10b5b56a4e0b';
  assert.equal(hex(nextAppHash(prev, w)), want);
  assert.equal(hex(nextAppHashPacked(prev, packWrites(w))), want);
});
