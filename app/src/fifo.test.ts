import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FifoMap } from './fifo.ts';
import { SigVerifier } from './sigverify.ts';

test('FifoMap: past max the oldest entry goes; a replaced or deleted entry is passed over', () => {
  const m = new FifoMap<string, number>(3);
  m.set('a', 1);
  m.set('b', 2);
  m.set('c', 3);
  m.set('a', 4); // replaced: now the newest
  m.set('d', 5); // evicts b, the oldest live entry, not a's old slot
  assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => m.get(k)), [4, undefined, 3, 5]);
  assert.equal(m.delete('c'), true);
  m.set('e', 6); // room after the delete: nothing evicted
  assert.deepEqual(['a', 'd', 'e'].map((k) => m.has(k)), [true, true, true]);
  m.set('f', 7); // evicts a (its slot after b's and c's, both dead)
  assert.equal(m.has('a'), false);
  assert.equal(m.size, 3);
  m.clear();
  assert.equal(m.size, 0);
  assert.equal(m.queued, 0);
  assert.throws(() => new FifoMap(0, 'test cache'), /test cache: expected a positive size, got 0/);
});

test('FifoMap (property): agrees with a model Map evicting its first key, and its queue stays bounded', () => {
  const op = fc.record({ kind: fc.constantFrom('set', 'set', 'set', 'delete', 'clear'), key: fc.integer({ min: 0, max: 9 }), value: fc.nat() });
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
    const m = new FifoMap<number, number>(max);
    const model = new Map<number, number>(); // insertion order = age
    for (const { kind, key, value } of ops) {
      if (kind === 'set') {
        model.delete(key);
        if (model.size >= max) model.delete(model.keys().next().value as number);
        model.set(key, value);
        m.set(key, value);
      } else if (kind === 'delete') {
        assert.equal(m.delete(key), model.delete(key));
      } else {
        model.clear();
        m.clear();
      }
      assert.equal(m.size, model.size);
      for (let k = 0; k <= 9; k++) assert.equal(m.get(k), model.get(k));
    }
  }));
  // Set and deleted again and again, without an eviction: dead slots are dropped as they pile up.
  const m = new FifoMap<number, number>(4);
  for (let i = 0; i < 20_000; i++) {
    m.set(i, i);
    m.delete(i);
    assert.ok(m.queued <= 2 * 4 + 1024, `queue of ${m.queued} slots for a map of 4`);
  }
  // Evictions only: popped slots are released as well.
  for (let i = 0; i < 20_000; i++) m.set(i, i);
  assert.equal(m.size, 4);
  assert.ok(m.queued <= 2 * 4 + 1024, `queue of ${m.queued} slots after 20,000 evictions`);
});

test('SigVerifier: past its capacity the oldest verified key is forgotten first', () => {
  const s = new SigVerifier(2);
  const key = (i: number) => SigVerifier.key(`${i}`.padStart(64, '0'), 0, 1n, new Uint8Array(33).fill(i));
  s.remember(key(1));
  s.remember(key(2));
  s.remember(key(1)); // already there: stays the oldest
  s.remember(key(3));
  assert.deepEqual([1, 2, 3].map((i) => s.has(key(i))), [false, true, true]);
  assert.deepEqual(s.keysFor(`${2}`.padStart(64, '0')), [key(2)]);
  assert.deepEqual(s.keysFor(`${1}`.padStart(64, '0')), [], 'a forgotten key is not handed to workers');
});
