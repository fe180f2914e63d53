import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MemKV, Overlay, RunsLayer, binToBuffer, bytesToBin, emptyKV, mergeSortedKeys, mergeWriteRuns, prefixEnd, sortKeys, type KVReader, type Value, type WriteRun,
} from './kv.ts';

const b = (s: string): Value => s;
const str = (v: Value | undefined): string | undefined => v;
const entries = (kv: KVReader, prefix = '', from?: string): [string, string][] => [...kv.iterate(prefix, from)].map(([k, v]) => [k, str(v) as string]);

function mem(init: Record<string, string>): MemKV {
  const m = new MemKV();
  for (const [k, v] of Object.entries(init)) m.set(k, b(v));
  return m;
}

test('Overlay: get falls through to the parent, set and delete shadow it', () => {
  const parent = mem({ a: '1', b: '2' });
  const o = new Overlay(parent);
  assert.equal(str(o.get('a')), '1');
  assert.equal(o.get('z'), undefined);
  o.set('a', b('10'));
  o.delete('b');
  o.set('c', b('3'));
  assert.equal(str(o.get('a')), '10');
  assert.equal(o.get('b'), undefined);
  assert.equal(str(o.get('c')), '3');
  // The parent is untouched until flushTo.
  assert.equal(str(parent.get('a')), '1');
  assert.equal(str(parent.get('b')), '2');
  assert.equal(parent.get('c'), undefined);
  // A later set after a delete revives the key; a delete after a set hides it.
  o.set('b', b('22'));
  assert.equal(str(o.get('b')), '22');
  o.delete('c');
  assert.equal(o.get('c'), undefined);
});

test('Overlay: an empty value is a value, not a deletion', () => {
  const o = new Overlay(mem({ k: 'x' }));
  o.set('k', '');
  assert.equal(o.get('k'), '');
  assert.deepEqual(entries(o), [['k', '']]);
});

test('Overlay: iterate merges parent and overlay in key order, hides deletions, respects the prefix', () => {
  const parent = mem({ a1: 'p', a3: 'p', a5: 'p', b1: 'p', '\xff': 'p' });
  const o = new Overlay(parent);
  o.set('a2', b('o'));
  o.set('a3', b('o')); // shadows
  o.delete('a5'); // hides
  o.delete('a9'); // deleting an absent key yields nothing
  o.set('a0', b('o'));
  o.set('c', b('o'));
  assert.deepEqual(entries(o, 'a'), [['a0', 'o'], ['a1', 'p'], ['a2', 'o'], ['a3', 'o']]);
  assert.deepEqual(entries(o), [['a0', 'o'], ['a1', 'p'], ['a2', 'o'], ['a3', 'o'], ['b1', 'p'], ['c', 'o'], ['\xff', 'p']]);
  assert.deepEqual(entries(o, 'b'), [['b1', 'p']]);
  assert.deepEqual(entries(o, 'x'), []);
  // Byte order, not locale order: 0x00 < 'A' < 'a' < 0x80 < 0xff.
  const o2 = new Overlay(mem({ '\x80': 'p', A: 'p' }));
  o2.set('\xff', b('o'));
  o2.set('a', b('o'));
  o2.set('\x00', b('o'));
  assert.deepEqual(entries(o2).map(([k]) => k), ['\x00', 'A', 'a', '\x80', '\xff']);
});

test('Overlay: flushTo applies sets and deletes; sortedWrites is the sorted change set', () => {
  const parent = mem({ a: '1', b: '2' });
  const o = new Overlay(parent);
  o.set('c', b('3'));
  o.delete('a');
  o.set('b', b('20'));
  assert.deepEqual(o.sortedWrites().map(([k, v]) => [k, v === null ? null : str(v)]), [['a', null], ['b', '20'], ['c', '3']]);
  o.flushTo(parent);
  assert.deepEqual(entries(parent), [['b', '20'], ['c', '3']]);
});

test('emptyKV reads nothing', () => {
  assert.equal(emptyKV.get('a'), undefined);
  assert.deepEqual([...emptyKV.iterate('')], []);
});

test('binary strings and bytes convert both ways, byte for byte, at every length (property)', () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const k = bytesToBin(all);
  assert.equal(k.length, 256);
  assert.equal(k.charCodeAt(255), 255);
  assert.deepEqual(new Uint8Array(binToBuffer(k)), all);
  // A subarray (non-zero byteOffset) converts only its own bytes.
  assert.equal(bytesToBin(all.subarray(65, 67)), 'AB');
  assert.equal(bytesToBin(all.subarray(1, 40)), k.slice(1, 40));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, cut) => {
    const view = bytes.subarray(Math.min(cut, bytes.length));
    const bin = bytesToBin(view);
    assert.equal(bin, Buffer.from(view).toString('latin1'));
    assert.deepEqual(new Uint8Array(binToBuffer(bin)), new Uint8Array(view));
    // A range of the bytes, short or long.
    const from = Math.min(cut * 3, bytes.length);
    const to = Math.max(from, bytes.length - cut);
    assert.equal(bytesToBin(bytes, from, to), Buffer.from(bytes.subarray(from, to)).toString('latin1'));
  }), { numRuns: 500 });
});

test('prefixEnd: increments the last byte below 0xff, drops trailing 0xff bytes', () => {
  assert.equal(prefixEnd('a'), 'b');
  assert.equal(prefixEnd('ab'), 'ac');
  assert.equal(prefixEnd('\x00'), '\x01');
  assert.equal(prefixEnd('\xfe'), '\xff');
  assert.equal(prefixEnd('a\xff'), 'b');
  assert.equal(prefixEnd('a\xff\xff'), 'b');
  assert.equal(prefixEnd('a\xfe\xff'), 'a\xff');
  assert.equal(prefixEnd('\xff'), undefined);
  assert.equal(prefixEnd('\xff\xff\xff'), undefined);
  assert.equal(prefixEnd(''), undefined);
});

test('prefixEnd (property): every key with the prefix is below the end, the end itself is not prefixed', () => {
  const byteStr = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((a) => String.fromCharCode(...a));
  const biased = (max: number) => fc.array(fc.constantFrom(0, 1, 0xfe, 0xff, 0x61), { maxLength: max }).map((a) => String.fromCharCode(...a));
  fc.assert(fc.property(fc.oneof(byteStr(6), biased(6)), fc.oneof(byteStr(4), biased(4)), (prefix, suffix) => {
    const end = prefixEnd(prefix);
    const key = prefix + suffix;
    if (end === undefined) {
      // Only all-0xff prefixes (or '') have no end.
      assert.ok([...prefix].every((c) => c === '\xff'), JSON.stringify(prefix));
      return;
    }
    assert.ok(key < end, `${JSON.stringify(key)} < ${JSON.stringify(end)}`);
    assert.ok(!end.startsWith(prefix), `end ${JSON.stringify(end)} must not start with prefix ${JSON.stringify(prefix)}`);
    assert.ok(end > prefix, `end ${JSON.stringify(end)} > prefix ${JSON.stringify(prefix)}`);
  }));
});

// ---- model-based property ------------------------------------------------------------------

type Op =
  | { t: 'set'; layer: number; k: string; v: string }
  | { t: 'del'; layer: number; k: string }
  | { t: 'flush' };

const KEYS = ['', 'a', 'aa', 'ab', 'b', 'ba', '\x00', '\xff', 'a\xff', '\xffa'];
const PREFIXES = ['', 'a', 'b', '\xff', 'a\xff', 'zz'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), layer: fc.integer({ min: 0, max: 2 }), k: fc.constantFrom(...KEYS), v: fc.string({ maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), layer: fc.integer({ min: 0, max: 2 }), k: fc.constantFrom(...KEYS) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'flush' as const }) },
);

test('Overlay (property): nested overlays behave like a Map; flushTo folds each layer into its parent', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
    // Layers: base (MemKV) <- l1 <- l2. Model: one Map per layer of pending writes.
    const base = new MemKV();
    let l1 = new Overlay(base);
    let l2 = new Overlay(l1);
    const modelBase = new Map<string, string>();
    let m1 = new Map<string, string | null>();
    let m2 = new Map<string, string | null>();
    const view = (): Map<string, string> => {
      const v = new Map(modelBase);
      for (const m of [m1, m2]) {
        for (const [k, x] of m) {
          if (x === null) v.delete(k);
          else v.set(k, x);
        }
      }
      return v;
    };
    const check = () => {
      const v = view();
      for (const k of KEYS) assert.equal(str(l2.get(k)), v.get(k), `get ${JSON.stringify(k)}`);
      for (const p of PREFIXES) {
        const want = [...v.entries()].filter(([k]) => k.startsWith(p)).sort((a, c) => (a[0] < c[0] ? -1 : a[0] > c[0] ? 1 : 0));
        assert.deepEqual(entries(l2, p), want, `iterate ${JSON.stringify(p)}`);
        for (const from of KEYS) {
          assert.deepEqual(entries(l2, p, from), want.filter(([k]) => k >= from), `iterate ${JSON.stringify(p)} from ${JSON.stringify(from)}`);
        }
      }
    };
    for (const op of ops) {
      if (op.t === 'flush') {
        // Fold l2 into l1, then l1 into base; start fresh layers on top.
        l2.flushTo(l1);
        for (const [k, x] of m2) m1.set(k, x);
        l1.flushTo(base);
        for (const [k, x] of m1) {
          if (x === null) modelBase.delete(k);
          else modelBase.set(k, x);
        }
        l1 = new Overlay(base);
        l2 = new Overlay(l1);
        m1 = new Map();
        m2 = new Map();
      } else {
        const layer = op.layer === 0 ? base : op.layer === 1 ? l1 : l2;
        if (op.t === 'set') {
          layer.set(op.k, b(op.v));
          if (op.layer === 0) modelBase.set(op.k, op.v);
          else (op.layer === 1 ? m1 : m2).set(op.k, op.v);
        } else {
          layer.delete(op.k);
          if (op.layer === 0) modelBase.delete(op.k);
          else (op.layer === 1 ? m1 : m2).set(op.k, null);
        }
      }
      check();
    }
    // Finally everything reaches the base.
    l2.flushTo(l1);
    l1.flushTo(base);
    const v = view();
    assert.deepEqual(entries(base), [...v.entries()].sort((a, c) => (a[0] < c[0] ? -1 : a[0] > c[0] ? 1 : 0)));
  }), { numRuns: 300 });
});

test('mergeSortedKeys: one ascending list without duplicates', () => {
  assert.deepEqual(mergeSortedKeys([]), []);
  assert.deepEqual(mergeSortedKeys([['a', 'c'], [], ['b', 'c', 'd'], ['\x00', '\xff']]), ['\x00', 'a', 'b', 'c', 'd', '\xff']);
  fc.assert(fc.property(fc.array(fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 20 }), { maxLength: 5 }), (lists) => {
    const runs = lists.map((l) => [...l].sort());
    assert.deepEqual(mergeSortedKeys(runs), [...new Set(lists.flat())].sort());
  }));
});

test('Overlay (property): sortedWrites with presorted runs equals a full sort, as the parallel executor fills the layer', () => {
  const keyArb = fc.string({ maxLength: 3, unit: fc.constantFrom('a', 'b', 'c', '\x00', '\xff') });
  fc.assert(fc.property(
    fc.uniqueArray(keyArb, { maxLength: 8 }), // begin-block writes
    fc.uniqueArray(keyArb, { maxLength: 12 }), // main thread's share
    fc.array(fc.uniqueArray(keyArb, { maxLength: 12 }), { maxLength: 3 }), // workers' runs
    fc.uniqueArray(keyArb, { maxLength: 6 }), // end-block writes
    (begin, main, workers, end) => {
      const o = new Overlay(emptyKV);
      for (const k of begin) o.set(k, b('begin'));
      for (const k of main) o.set(k, b('main'));
      const from = o.writes.size;
      // Workers own keys disjoint from the main share's and from each other's; they may
      // rewrite a begin-block key.
      const taken = new Set(main);
      const runs = workers.map((w) => w.filter((k) => !taken.has(k) && (taken.add(k), true)).sort());
      for (const run of runs) for (const k of run) o.set(k, b('worker'));
      const to = o.writes.size;
      for (const k of end) o.delete(k);
      assert.deepEqual(o.sortedWrites({ from, to, runs }), o.sortedWrites());
    },
  ));
});

test('Overlay: a presorted hint that misses keys throws instead of dropping them', () => {
  const o = new Overlay(emptyKV);
  o.set('a', b('1'));
  o.set('b', b('2'));
  o.set('c', b('3'));
  // Claims positions 1..3 come from the runs, but no run has 'b'.
  assert.throws(() => o.sortedWrites({ from: 1, to: 3, runs: [['c']] }), /covers 2 keys, the layer holds 3/);
});

test('Overlay.replaceWrites takes the given writes in their order; refused while a journal is open', () => {
  const o = new Overlay(mem({ a: 'parent' }));
  o.set('x', b('1'));
  o.delete('a');
  o.replaceWrites([['b', b('2')], ['a', null]]);
  assert.deepEqual([...o.writes.keys()], ['b', 'a']);
  assert.equal(o.get('a'), undefined);
  assert.equal(o.get('x'), undefined);
  assert.equal(str(o.get('b')), '2');
  o.begin();
  assert.throws(() => o.replaceWrites([]), /journal open/);
  o.end();
});

test('sortKeys sorts binary-string keys in byte order (property)', () => {
  // Short lists take Array.sort; long ones the radix sort, over keys that share prefixes, end
  // where others go on, repeat, and use every byte.
  const bytes = fc.uint8Array({ maxLength: 12 });
  const prefixed = fc.tuple(fc.constantFrom('', '\x10\x01\x2blanes1', '\x01\x01\x2blanes1q', '\xff'), fc.uint8Array({ maxLength: 4, max: 3 }));
  const key = fc.oneof(bytes.map((a) => bytesToBin(a)), prefixed.map(([p, a]) => p + bytesToBin(a)));
  fc.assert(fc.property(fc.oneof(fc.array(key, { maxLength: 60 }), fc.array(key, { minLength: 128, maxLength: 700 })), (keys) => {
    const byBytes = keys.slice().sort((a, b) => Buffer.compare(binToBuffer(a), binToBuffer(b)));
    assert.deepEqual(sortKeys(keys.slice()), byBytes);
  }), { numRuns: 400 });
});

test('sortKeys orders any strings as the default sort does, chars above 0xff included (property)', () => {
  const unit = fc.constantFrom('a', 'b', '\x00', '\xff', '\u0100', '\uffff', '\ud800');
  const key = fc.string({ unit, maxLength: 6 });
  fc.assert(fc.property(fc.array(key, { minLength: 128, maxLength: 400 }), (keys) => {
    assert.deepEqual(sortKeys(keys.slice()), keys.slice().sort());
  }), { numRuns: 200 });
});

const runKey = fc.string({ maxLength: 3, unit: fc.constantFrom('a', 'b', 'c', '\x00', '\xff') });
const runValue = fc.option(fc.string({ maxLength: 3 }), { nil: null });
/** Runs as the workers send them: sorted, each key once, no key in two runs. */
const disjointRuns = fc.array(fc.uniqueArray(fc.tuple(runKey, runValue), { selector: ([k]) => k, maxLength: 10 }), { maxLength: 3 }).map((lists) => {
  const taken = new Set<string>();
  return lists.map((l): WriteRun => {
    const mine = l.filter(([k]) => !taken.has(k) && (taken.add(k), true)).sort(([x], [y]) => (x < y ? -1 : 1));
    return { keys: mine.map(([k]) => k), values: mine.map(([, v]) => v) };
  });
});

/** Runs that may share keys: outside RunsLayer's CONTRACT, where it must still agree with mergeWriteRuns. */
const overlappingRuns = fc.array(fc.uniqueArray(fc.tuple(runKey, runValue), { selector: ([k]) => k, maxLength: 10 }), { maxLength: 3 }).map((lists) =>
  lists.map((l): WriteRun => {
    const sorted = [...l].sort(([x], [y]) => (x < y ? -1 : 1));
    return { keys: sorted.map(([k]) => k), values: sorted.map(([, v]) => v) };
  }));

for (const [what, runsArb] of [['disjoint runs', disjointRuns], ['runs sharing keys (the last one wins, as mergeWriteRuns commits it)', overlappingRuns]] as const) test(`RunsLayer (property, ${what}): reads and iterates as if the runs were written over the parent in order`, () => {
  fc.assert(fc.property(
    fc.dictionary(runKey, fc.string({ maxLength: 3 })), // committed
    fc.array(fc.tuple(runKey, runValue), { maxLength: 8 }), // block layer (null: delete)
    runsArb,
    fc.array(runKey, { maxLength: 4 }), // prefixes
    (committed, block, runs, prefixes) => {
      const parent = new Overlay(mem(committed));
      const expected = new Overlay(mem(committed));
      for (const [k, v] of block) {
        for (const o of [parent, expected]) {
          if (v === null) o.delete(k);
          else o.set(k, v);
        }
      }
      for (const run of runs) {
        run.keys.forEach((k, i) => {
          const v = run.values[i] as Value | null;
          if (v === null) expected.delete(k);
          else expected.set(k, v);
        });
      }
      const layer = new RunsLayer(parent, runs);
      for (const k of new Set([...Object.keys(committed), ...block.map(([k]) => k), ...runs.flatMap((r) => r.keys)])) {
        assert.equal(layer.get(k), expected.get(k), `get ${JSON.stringify(k)}`);
      }
      for (const p of ['', ...prefixes]) {
        assert.deepEqual(entries(layer, p), entries(expected, p), `iterate ${JSON.stringify(p)}`);
        for (const from of ['', ...prefixes, ...runs.flatMap((r) => r.keys)]) {
          assert.deepEqual(entries(layer, p, from), entries(expected, p).filter(([k]) => k >= from), `iterate ${JSON.stringify(p)} from ${JSON.stringify(from)}`);
        }
      }
    },
  ));
});

test('mergeWriteRuns (property): one sorted change set, a key taking the value of the last run that has it', () => {
  const run = fc.uniqueArray(fc.tuple(runKey, runValue), { selector: ([k]) => k, maxLength: 10 }).map((l): WriteRun => {
    const sorted = [...l].sort(([x], [y]) => (x < y ? -1 : 1));
    return { keys: sorted.map(([k]) => k), values: sorted.map(([, v]) => v) };
  });
  fc.assert(fc.property(fc.array(run, { maxLength: 4 }), (runs) => {
    const last = new Map<string, Value | null>();
    for (const r of runs) r.keys.forEach((k, i) => last.set(k, r.values[i] as Value | null));
    const expected = sortKeys([...last.keys()]).map((k) => [k, last.get(k)]);
    assert.deepEqual(mergeWriteRuns(runs), expected);
  }));
});
