import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { COMMIT_BATCH_ROWS, CommittedStore, RANGE_CHUNK_ROWS, STATE_LAYOUT, StateLayoutError } from './sqlite.ts';
import type { Key, Value } from './kv.ts';
import { StoreFault, isNodeFault } from '../errors.ts';

const b = (s: string): Value => s;
const str = (v: Value | undefined): string | undefined => v;
/** Every byte value, twice: stored values are binary strings and must come back byte for byte. */
const EVERY_BYTE = String.fromCharCode(...Array.from({ length: 512 }, (_, i) => i % 256));
const all = (s: CommittedStore, prefix = '', from?: string): [string, string][] => [...s.iterate(prefix, from)].map(([k, v]) => [k, str(v) as string]);

function tempDb(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A nested folder that does not exist yet: the store creates it.
  return join(dir, 'data', 'state.db');
}

const hash = (n: number): Uint8Array => new Uint8Array(32).fill(n);

test('a fresh store is at height 0 with an empty app hash', (t) => {
  const s = new CommittedStore(tempDb(t));
  assert.equal(s.lastCommit().height, 0n);
  assert.deepEqual(s.lastCommit().appHash, new Uint8Array());
  assert.equal(s.get('a'), undefined);
  assert.deepEqual(all(s), []);
  s.close();
});

test('commit then get/iterate; reopen keeps height, app hash and data; deletes persist', (t) => {
  const path = tempDb(t);
  const s = new CommittedStore(path);
  // get before commit caches "absent"; commit must overwrite that cached miss.
  assert.equal(s.get('b'), undefined);
  s.commit([['a', b('1')], ['b', b('2')], ['c', b('3')], ['e', b('')], ['\xff\x00', EVERY_BYTE]], { height: 1n, appHash: hash(1) });
  assert.equal(str(s.get('b')), '2');
  assert.equal(s.get('e'), '');
  assert.equal(s.lastCommit().height, 1n);
  assert.deepEqual(s.lastCommit().appHash, hash(1));
  s.commit([['a', null], ['b', b('22')], ['d', b('4')]], { height: 2n, appHash: hash(2) });
  assert.equal(s.get('a'), undefined);
  assert.deepEqual(all(s), [['b', '22'], ['c', '3'], ['d', '4'], ['e', ''], ['\xff\x00', EVERY_BYTE]]);
  s.close();

  const r = new CommittedStore(path);
  assert.equal(r.lastCommit().height, 2n);
  assert.deepEqual(r.lastCommit().appHash, hash(2));
  assert.equal(r.get('a'), undefined);
  assert.equal(str(r.get('b')), '22');
  assert.equal(str(r.get('d')), '4');
  assert.equal(r.get('e'), '');
  assert.equal(r.get('\xff\x00'), EVERY_BYTE);
  assert.deepEqual(all(r), [['b', '22'], ['c', '3'], ['d', '4'], ['e', ''], ['\xff\x00', EVERY_BYTE]]);
  // Deleting a key that was never there is harmless.
  r.commit([['zz', null]], { height: 3n, appHash: hash(3) });
  assert.equal(r.lastCommit().height, 3n);
  r.close();
});

test('a large height survives a reopen exactly', (t) => {
  const path = tempDb(t);
  const s = new CommittedStore(path);
  const h = 2n ** 63n - 1n;
  s.commit([], { height: h, appHash: hash(7) });
  s.close();
  const r = new CommittedStore(path);
  assert.equal(r.lastCommit().height, h);
  r.close();
});

test('iterate is in byte order over binary keys, bounded by the prefix (0xff edges included)', (t) => {
  const path = tempDb(t);
  const s = new CommittedStore(path);
  const keys: Key[] = ['\xff\xff', '\xff', '\xfe\xff', 'a\xff', 'a\xff\x00', 'a', 'a\x00', 'b', '\x00', '\x7f', '\x80', 'A'];
  s.commit(keys.map((k) => [k, b(`v${k.length}`)] as [Key, Value]), { height: 1n, appHash: hash(1) });
  const sorted = [...keys].sort();
  assert.deepEqual(all(s).map(([k]) => k), sorted);
  assert.deepEqual(all(s, 'a').map(([k]) => k), ['a', 'a\x00', 'a\xff', 'a\xff\x00']);
  assert.deepEqual(all(s, 'a\xff').map(([k]) => k), ['a\xff', 'a\xff\x00']);
  assert.deepEqual(all(s, '\xff').map(([k]) => k), ['\xff', '\xff\xff']);
  assert.deepEqual(all(s, '\xfe').map(([k]) => k), ['\xfe\xff']);
  assert.deepEqual(all(s, 'c').map(([k]) => k), []);
  s.close();
  // Same order from disk after a reopen (the cache is cold).
  const r = new CommittedStore(path);
  assert.deepEqual(all(r).map(([k]) => k), sorted);
  assert.equal(str(r.get('a\xff\x00')), 'v3');
  r.close();
});

test('iterate reads a range in chunks of RANGE_CHUNK_ROWS: every row once, in order, from any key on; a scan stopped early reads about as many rows as it used', (t) => {
  const s = new CommittedStore(tempDb(t));
  // Keys under 'p' across several chunks, with neighbours outside the range on both sides, and
  // the same under '\xff\xff' (no end key: the range runs to the table's end).
  const n = 3 * RANGE_CHUNK_ROWS + 5;
  const under = (prefix: string): Key[] => Array.from({ length: n }, (_, i) => prefix + String.fromCharCode(i >> 8, i & 0xff));
  const p = under('p');
  const top = under('\xff\xff');
  // A key that is another key plus \x00 follows it directly: a chunk ending at one must not skip the other.
  const tricky = [p[RANGE_CHUNK_ROWS - 1] + '\x00', p[2 * RANGE_CHUNK_ROWS - 1] + '\x00'];
  const keys: Key[] = ['o\xff', 'q', ...p, ...tricky, ...top];
  s.commit([...keys].sort().map((k) => [k, b(`v${k}`)] as [Key, Value]), { height: 1n, appHash: hash(1) });
  const inP = [...p, ...tricky].sort();
  assert.deepEqual(all(s, 'p').map(([k]) => k), inP);
  assert.ok(all(s, 'p').every(([k, v]) => v === `v${k}`), 'each value with its key');
  assert.deepEqual(all(s, '\xff\xff').map(([k]) => k), top);
  for (const i of [0, 1, RANGE_CHUNK_ROWS - 1, RANGE_CHUNK_ROWS, RANGE_CHUNK_ROWS + 1, inP.length - 1]) {
    const from = inP[i] as Key;
    assert.deepEqual(all(s, 'p', from).map(([k]) => k), inP.slice(i), `from the ${i}th key`);
    const after = from + '\x00';
    assert.deepEqual(all(s, 'p', after).map(([k]) => k), inP.filter((k) => k >= after), `from just after the ${i}th key`);
  }
  assert.deepEqual(all(s, 'p', 'o').map(([k]) => k), inP, 'a start before the range: the whole range');
  assert.deepEqual(all(s, 'p', 'q'), [], 'a start past the range');
  assert.deepEqual(all(s, '\xff\xff', top[n - 2]).map(([k]) => k), top.slice(n - 2));
  // The scan is lazy: taking the first rows reads one chunk, so a write committed meanwhile
  // shows in the rows of the chunks read after it.
  const it = s.iterate('p')[Symbol.iterator]();
  assert.equal(it.next().value?.[0], inP[0]);
  s.commit([[inP[RANGE_CHUNK_ROWS + 3] as Key, b('changed')]], { height: 2n, appHash: hash(2) });
  const rest = [];
  for (let e = it.next(); !e.done; e = it.next()) rest.push(e.value);
  assert.equal(rest.length, inP.length - 1);
  assert.equal(rest[RANGE_CHUNK_ROWS + 2]?.[1], 'changed', 'the second chunk was read after the commit');
  s.close();
});

test('the commit is atomic: a failing write set leaves data, height and hash as they were', (t) => {
  const path = tempDb(t);
  const s = new CommittedStore(path);
  s.commit([['a', b('1')]], { height: 1n, appHash: hash(1) });
  // A value that is not bytes makes the statement throw in the middle of the transaction.
  const bad = [['a', b('changed')], ['b', 42 as unknown as Uint8Array]] as [Key, Value][];
  assert.throws(() => s.commit(bad, { height: 2n, appHash: hash(2) }));
  assert.equal(s.lastCommit().height, 1n);
  assert.equal(str(s.get('a')), '1');
  assert.equal(s.get('b'), undefined);
  s.close();
  const r = new CommittedStore(path);
  assert.equal(r.lastCommit().height, 1n);
  assert.deepEqual(r.lastCommit().appHash, hash(1));
  assert.equal(str(r.get('a')), '1');
  r.close();
});

test(':memory: works without a folder', () => {
  const s = new CommittedStore(':memory:');
  s.commit([['k', b('v')]], { height: 5n, appHash: hash(5) });
  assert.equal(str(s.get('k')), 'v');
  assert.equal(s.lastCommit().height, 5n);
  s.close();
});

test('a commit larger than one insert batch: every row lands, deletes and re-puts apply in the order given', (t) => {
  const path = tempDb(t);
  const s = new CommittedStore(path);
  const n = 3 * COMMIT_BATCH_ROWS + 7;
  const key = (i: number): Key => `k${String(i).padStart(5, '0')}`;
  s.commit(Array.from({ length: n }, (_, i) => [key(i), b(`v${i}`)] as [Key, Value]), { height: 1n, appHash: hash(1) });
  // Deletes interleaved with puts, and a key written twice in one commit (last write wins).
  const writes: [Key, Value | null][] = [];
  for (let i = 0; i < n; i++) writes.push([key(i), i % 5 === 0 ? null : b(`w${i}`)]);
  writes.push([key(10), b('again')], [key(11), null]);
  s.commit(writes, { height: 2n, appHash: hash(2) });
  s.close();
  const r = new CommittedStore(path);
  const rows = all(r);
  const expected: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    if (i === 10) expected.push([key(i), 'again']);
    else if (i % 5 !== 0 && i !== 11) expected.push([key(i), `w${i}`]);
  }
  assert.deepEqual(rows, expected);
  // A put still waiting for its batch, then a delete of the same key: the key is gone.
  r.commit([['x', b('1')], ['y', b('2')], ['x', null]], { height: 3n, appHash: hash(3) });
  r.close();
  const again = new CommittedStore(path);
  assert.equal(again.get('x'), undefined);
  assert.equal(str(again.get('y')), '2');
  again.close();
});

test('a bounded read cache: reads match the committed state whatever the cache dropped, and it stays within its bound', async (t) => {
  const fc = (await import('fast-check')).default;
  const path = tempDb(t);
  const bound = 8;
  const s = new CommittedStore(path, { cacheKeys: bound });
  // A second, read-only connection as an execution worker keeps it: told of each commit.
  const replica = new CommittedStore(path, { readonly: true, cacheKeys: bound });
  const model = new Map<Key, Value>();
  let height = 0n;
  const key = fc.integer({ min: 0, max: 40 }).map((i) => `k${i}`);
  const op = fc.oneof(
    fc.record({ kind: fc.constant('commit' as const), writes: fc.array(fc.tuple(key, fc.option(fc.string({ maxLength: 6 }), { nil: null })), { maxLength: 12 }) }),
    fc.record({ kind: fc.constant('read' as const), keys: fc.array(key, { maxLength: 20 }) }),
  );
  try {
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      for (const o of ops) {
        if (o.kind === 'commit') {
          const writes = new Map(o.writes); // last write per key wins, as in a block
          const sorted = [...writes].sort(([a], [b]) => (a < b ? -1 : 1));
          height++;
          s.commit(sorted, { height, appHash: hash(Number(height % 256n)) });
          replica.applyCommitted(sorted, { height, appHash: hash(Number(height % 256n)) });
          for (const [k, v] of sorted) if (v === null) model.delete(k); else model.set(k, v);
        } else {
          for (const k of o.keys) {
            assert.equal(s.get(k), model.get(k), `main ${k}`);
            assert.equal(replica.get(k), model.get(k), `replica ${k}`);
          }
        }
        assert.ok(s.cachedKeys() <= bound && replica.cachedKeys() <= bound, `cached ${s.cachedKeys()} / ${replica.cachedKeys()}`);
      }
    }), { numRuns: 200 });
  } finally {
    s.close();
    replica.close();
  }
  assert.throws(() => new CommittedStore(':memory:', { cacheKeys: 0 }), /state cache: expected a positive number of keys, got 0/);
});

test('a new store records its state layout; state of another layout, or from before the record, is refused unchanged, naming the file and both layouts', (t) => {
  const path = tempDb(t);
  const s = new CommittedStore(path);
  s.commit([['a', b('1')]], { height: 1n, appHash: hash(1) });
  s.close();
  const raw = (fn: (db: Database.Database) => void): void => {
    const db = new Database(path);
    try {
      fn(db);
    } finally {
      db.close();
    }
  };
  const layout = (): string | undefined => {
    let v: string | undefined;
    raw((db) => {
      v = (db.prepare('SELECT v FROM meta WHERE k = ?').pluck().get('layout') as Buffer | undefined)?.toString('utf8');
    });
    return v;
  };
  assert.equal(layout(), String(STATE_LAYOUT));
  const again = new CommittedStore(path); // the same layout opens
  assert.equal(again.lastCommit().height, 1n);
  again.close();

  const refused = (found: number): void => {
    assert.throws(() => new CommittedStore(path), (e: unknown) => {
      assert.ok(e instanceof StateLayoutError, `a StateLayoutError, got ${String(e)}`);
      assert.equal(e.found, found);
      assert.match(e.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds state in layout ${found}, and this build reads layout ${STATE_LAYOUT}`));
      return true;
    });
  };
  // Written before stores recorded their layout: layout 1. Nothing is written on refusal.
  raw((db) => db.prepare('DELETE FROM meta WHERE k = ?').run('layout'));
  refused(1);
  assert.equal(layout(), undefined);
  // Rows but no commit yet (no height): refused too.
  raw((db) => db.prepare('DELETE FROM meta WHERE k = ?').run('height'));
  refused(1);
  raw((db) => db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)').run('layout', Buffer.from(String(STATE_LAYOUT + 1))));
  refused(STATE_LAYOUT + 1);
  // A read-only replica (an execution worker) does not check: its writer did.
  const replica = new CommittedStore(path, { readonly: true });
  assert.equal(str(replica.get('a')), '1');
  replica.close();
  // An empty file of the old kind (tables, no rows) is as good as new: it gets the layout.
  raw((db) => {
    db.prepare('DELETE FROM meta').run();
    db.prepare('DELETE FROM kv').run();
  });
  new CommittedStore(path).close();
  assert.equal(layout(), String(STATE_LAYOUT));
});

test('a read the database fails is a StoreFault (a fault of the node, isNodeFault) without the file path, for get and for a scan; cached keys still answer', (t) => {
  const path = tempDb(t);
  const s = new CommittedStore(path);
  s.commit([['a', b('1')], ['b', b('2')]], { height: 1n, appHash: hash(1) });
  (s as unknown as { db: { close(): void } }).db.close(); // stands in for an I/O error
  assert.equal(str(s.get('a')), '1', 'written by the commit: cached');
  for (const read of [() => s.get('z'), () => [...s.iterate('')]]) {
    assert.throws(read, (e: unknown) => {
      assert.ok(e instanceof StoreFault && isNodeFault(e), `a StoreFault, got ${String(e)}`);
      assert.equal(e.message, "reading state failed: The database connection is not open", "no path: clients see this text");
      return true;
    });
  }
});

test('queryView reads what get reads, and leaves the read cache as it was (queries are free: they must not push hot keys out)', (t) => {
  const s = new CommittedStore(tempDb(t));
  s.commit([['a', b('1')], ['b', b('2')]], { height: 1n, appHash: hash(1) });
  const q = s.queryView();
  const before = s.cachedKeys();
  assert.equal(str(q.get('a')), '1');
  assert.equal(q.get('zz'), undefined);
  for (let i = 0; i < 100; i++) q.get(`absent-${i}`);
  assert.equal(s.cachedKeys(), before, 'no key remembered, present or absent');
  assert.deepEqual([...q.iterate('', undefined)].map(([k]) => k), ['a', 'b']);
  assert.equal(q.ranges?.(), s);
  // get remembers what SQLite answered, absent keys too.
  s.get('absent-0');
  s.get('zz');
  assert.equal(s.cachedKeys(), before + 2);
  s.close();
});
