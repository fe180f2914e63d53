// The durable copy of state: SQLite (WAL) via better-sqlite3, written once per block at Commit
// in one transaction with the height and app hash. Reads go through a cache of committed
// values bounded in keys (STATE_CACHE_KEYS), so a key costs one SQLite lookup until the cache
// drops it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Key, type KVReader, type RangeReads, type Value, binToBuffer, bytesToBin, prefixEnd } from './kv.ts';
import { StoreFault } from '../errors.ts';

/**
 * better-sqlite3 12 on Node 24: a Statement finalized by the garbage collector outside a JS
 * context aborts the process (`Assertion failed: (env) != nullptr` in
 * RemoveEnvironmentCleanupHook; Node 24's ObjectWrap, fixed only in better-sqlite3 13, which
 * needs Node 22+ while we support Node 20). So no Statement is ever left to the GC: everything
 * a store prepares (including transaction helpers) is prepared once and kept here for the life
 * of the process, and pragmas go through exec(), which prepares no Statement object.
 */
const KEEP_ALIVE: unknown[] = [];
function keep<T>(x: T): T {
  KEEP_ALIVE.push(x);
  return x;
}

/**
 * Rows per multi-row INSERT at Commit. One statement call per row costs more in the call into
 * SQLite than the row itself: in a one-off measurement on the 2-core dev VM (same WAL and
 * synchronous settings, 40,000 sorted 48-byte keys), a transaction took ~70 ms row by row and
 * ~40 ms in batches of 128. `npm run bench -- exec` shows the effect as "with commit" tx/s.
 */
export const COMMIT_BATCH_ROWS = 128;

/**
 * Default bound of a store's read cache, in keys. A cached balance (27-byte key, 15-byte value)
 * takes ~130 bytes of heap (one-off measurement: 300,000 of them read through a store), larger
 * values more, so this holds each cache to roughly 0.15-0.3 GB (the main thread and each
 * execution worker keep one) however large state grows.
 */
export const STATE_CACHE_KEYS = 1_000_000;

/** Rows a range scan reads per statement call (see CommittedStore.iterate). */
export const RANGE_CHUNK_ROWS = 256;
const ZERO_BYTE = Buffer.alloc(1);

/**
 * The state layout this build reads and writes: how the modules key their state. A change to any
 * collection's keys bumps it, since a node on state of another layout would not find what is
 * there (a supply keyed the old way reads as zero, and the next mint sets it to the minted
 * amount). A store records the layout it was created with and refuses to open in another; state
 * written before the record existed is layout 1.
 *   1: up to 2026-12-07.
 *   2: bank supplies keyed by the bare denom, so the store holds them in denom order.
 */
export const STATE_LAYOUT = 2;

/** Opening state written in another layout (STATE_LAYOUT). */
export class StateLayoutError extends Error {
  constructor(readonly path: string, readonly found: number) {
    super(`${path} holds state in layout ${found}, and this build reads layout ${STATE_LAYOUT}: it would not find the state's keys`);
    this.name = 'StateLayoutError';
  }
}

export interface CommitInfo {
  height: bigint;
  appHash: Uint8Array;
  /**
   * The block's time in Unix seconds. Not consensus state (no app hash covers it): after a
   * restart, CheckTx, simulations and queries take it as the latest block time until the next
   * block, as they did before the restart.
   */
  time?: bigint;
}

export class CommittedStore implements KVReader {
  private readonly db: Database.Database;
  /** Committed values (null: absent), oldest first; at most `cacheKeys` of them after any call. */
  private readonly cache = new Map<Key, Value | null>();
  private readonly cacheKeys: number;
  /** Plucked: get() returns the value itself, not a row object. */
  private readonly getStmt: Database.Statement<[Buffer], Buffer>;
  /**
   * At most RANGE_CHUNK_ROWS rows at or above a key and below an end key or to the table's end,
   * in ascending or descending key order, after skipping some (OFFSET); and the rows' count.
   */
  private readonly range: {
    up: Database.Statement<[Buffer, Buffer, number, number], { k: Buffer; v: Buffer }>;
    upOpen: Database.Statement<[Buffer, number, number], { k: Buffer; v: Buffer }>;
    down: Database.Statement<[Buffer, Buffer, number, number], { k: Buffer; v: Buffer }>;
    downOpen: Database.Statement<[Buffer, number, number], { k: Buffer; v: Buffer }>;
    count: Database.Statement<[Buffer, Buffer], number>;
    countOpen: Database.Statement<[Buffer], number>;
  };
  /** null on a read-only connection. */
  private readonly writer: {
    put: Database.Statement<[Buffer, Buffer]>;
    /** COMMIT_BATCH_ROWS rows at once. */
    putMany: Database.Statement<[Buffer[]]>;
    del: Database.Statement<[Buffer]>;
    meta: Database.Statement<[string, Buffer]>;
    /** One transaction: the block's writes, then height and app hash. Built once (see KEEP_ALIVE). */
    commit: (writes: Iterable<[Key, Value | null]>, info: CommitInfo) => void;
  } | null;
  private last: CommitInfo;

  /**
   * `readonly`: a second connection (an execution worker's replica) that never writes.
   * `cacheKeys`: the read cache's bound (default STATE_CACHE_KEYS).
   */
  constructor(path: string, opts: { readonly?: boolean; cacheKeys?: number | undefined } = {}) {
    this.cacheKeys = opts.cacheKeys ?? STATE_CACHE_KEYS;
    if (!Number.isSafeInteger(this.cacheKeys) || this.cacheKeys < 1) throw new Error(`state cache: expected a positive number of keys, got ${this.cacheKeys}`);
    if (opts.readonly) {
      this.db = new Database(path, { readonly: true, fileMustExist: true });
    } else {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      this.db.exec('PRAGMA journal_mode = WAL');
      // FULL: a commit reported to CometBFT survives power loss, not only a process kill.
      this.db.exec('PRAGMA synchronous = FULL');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
      `);
    }
    this.getStmt = keep(this.db.prepare<[Buffer], Buffer>('SELECT v FROM kv WHERE k = ?').pluck());
    this.range = keep({
      up: this.db.prepare('SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k LIMIT ? OFFSET ?'),
      upOpen: this.db.prepare('SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ? OFFSET ?'),
      down: this.db.prepare('SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k DESC LIMIT ? OFFSET ?'),
      downOpen: this.db.prepare('SELECT k, v FROM kv WHERE k >= ? ORDER BY k DESC LIMIT ? OFFSET ?'),
      count: this.db.prepare<[Buffer, Buffer], number>('SELECT count(*) FROM kv WHERE k >= ? AND k < ?').pluck(),
      countOpen: this.db.prepare<[Buffer], number>('SELECT count(*) FROM kv WHERE k >= ?').pluck(),
    });
    this.writer = opts.readonly ? null : keep({
      put: this.db.prepare('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
      putMany: this.db.prepare<[Buffer[]]>(
        `INSERT INTO kv (k, v) VALUES ${new Array(COMMIT_BATCH_ROWS).fill('(?, ?)').join(', ')} ON CONFLICT(k) DO UPDATE SET v = excluded.v`,
      ),
      del: this.db.prepare('DELETE FROM kv WHERE k = ?'),
      meta: this.db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
      commit: this.db.transaction((writes: Iterable<[Key, Value | null]>, info: CommitInfo) => {
        const w = this.writer as NonNullable<CommittedStore['writer']>;
        // Puts go in full batches (a batch's rows apply in order, like single puts); pending
        // puts are flushed before a delete, so writes apply in the order given.
        const batch = new Array<Buffer>(2 * COMMIT_BATCH_ROWS);
        let rows = 0;
        const flush = (): void => {
          for (let i = 0; i < rows; i++) w.put.run(batch[2 * i] as Buffer, batch[2 * i + 1] as Buffer);
          rows = 0;
        };
        for (const [k, v] of writes) {
          if (v === null) {
            flush();
            w.del.run(binToBuffer(k));
          } else {
            batch[2 * rows] = binToBuffer(k);
            batch[2 * rows + 1] = binToBuffer(v);
            if (++rows === COMMIT_BATCH_ROWS) {
              w.putMany.run(batch);
              rows = 0;
            }
          }
          this.cache.set(k, v);
        }
        flush();
        w.meta.run('height', Buffer.from(info.height.toString(), 'utf8'));
        w.meta.run('app_hash', Buffer.from(info.appHash));
        if (info.time !== undefined) w.meta.run('time', Buffer.from(info.time.toString(), 'utf8'));
      }),
    });
    const meta = keep(this.db.prepare<[string], { v: Buffer }>('SELECT v FROM meta WHERE k = ?'));
    const h = meta.get('height');
    if (this.writer) this.checkLayout(path, meta.get('layout'), h !== undefined);
    const a = meta.get('app_hash');
    const time = meta.get('time');
    this.last = {
      height: h ? BigInt(h.v.toString('utf8')) : 0n,
      appHash: a ? new Uint8Array(a.v) : new Uint8Array(),
      ...(time && { time: BigInt(time.v.toString('utf8')) }),
    };
  }

  /** Records STATE_LAYOUT in a new store; refuses a store of another layout (StateLayoutError). */
  private checkLayout(path: string, recorded: { v: Buffer } | undefined, committed: boolean): void {
    const w = this.writer as NonNullable<CommittedStore['writer']>;
    if (recorded !== undefined) {
      const found = Number(recorded.v.toString('utf8'));
      if (found === STATE_LAYOUT) return;
      this.db.close();
      throw new StateLayoutError(path, found);
    }
    if (committed || keep(this.db.prepare('SELECT 1 FROM kv LIMIT 1').pluck()).get() !== undefined) {
      this.db.close();
      throw new StateLayoutError(path, 1);
    }
    w.meta.run('layout', Buffer.from(String(STATE_LAYOUT), 'utf8'));
  }

  /**
   * A failed read (I/O, corruption, a busy or closed database) as a StoreFault: in a block it
   * stops the block on this node rather than failing the tx that read (isNodeFault).
   */
  private readFault(e: unknown): StoreFault {
    // No path: CheckTx and queries answer this text to any client.
    return new StoreFault(`reading state failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }

  lastCommit(): CommitInfo {
    return this.last;
  }

  /** The committed value of `key`; `remember`: keep what SQLite answered in the read cache. */
  get(key: Key, remember = true): Value | undefined {
    const c = this.cache.get(key);
    if (c !== undefined) return c ?? undefined;
    let row: Buffer | undefined;
    try {
      row = this.getStmt.get(binToBuffer(key));
    } catch (e) {
      throw this.readFault(e);
    }
    const v = row ? bytesToBin(row) : null;
    if (!remember) return v ?? undefined;
    this.cache.set(key, v);
    this.trimCache();
    return v ?? undefined;
  }

  /**
   * This store for queries: reads that miss the cache leave it as it was. Queries are free, so
   * keys they read (random addresses, say) would otherwise push the blocks' hot keys out of it.
   */
  queryView(): KVReader {
    return { get: (key) => this.get(key, false), iterate: (prefix, from) => this.iterate(prefix, from), ranges: () => this };
  }

  /**
   * Reads RANGE_CHUNK_ROWS rows per statement call, so that a scan stopped early (a query's page)
   * reads about as many rows as it uses. Each call completes before its rows are yielded, so no
   * statement stays open while the caller reads; the scan sees what was committed when each
   * chunk was read (Commit never runs while a scan is under way: both run on this thread, and
   * every scan is consumed within one ABCI call).
   */
  iterate(prefix: Key, from?: Key): Iterable<[Key, Value]> {
    return this.scanRange(prefix, { from });
  }

  /** This store's range reads (see KVReader.ranges). */
  ranges(): RangeReads {
    return this;
  }

  /**
   * Entries under `prefix`, read as `iterate` reads them, in SQLite: ascending from `from`, or
   * with `down` descending from the last at or below `from`; the first `skip` of them passed over
   * in SQLite, not read into JS. A query's reverse page so costs its own rows; an offset still
   * walks the rows before it, in SQLite's B-tree (about 40 ms a million here), not in JS.
   */
  *scanRange(prefix: Key, o: { from?: Key | undefined; down?: boolean; skip?: bigint } = {}): Iterable<[Key, Value]> {
    const end = prefixEnd(prefix);
    let lo = binToBuffer(!o.down && o.from !== undefined && o.from > prefix ? o.from : prefix);
    // Exclusive upper bound: the range's end, or going down, the least key after `from`.
    const through = o.down && o.from !== undefined ? o.from + '\x00' : undefined;
    const hiKey = through !== undefined && (end === undefined || through < end) ? through : end;
    let hi = hiKey === undefined ? undefined : binToBuffer(hiKey);
    if (hiKey !== undefined && hiKey <= prefix) return;
    let skip = Number(o.skip !== undefined && o.skip > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : (o.skip ?? 0n));
    const r = this.range;
    for (;;) {
      let rows: { k: Buffer; v: Buffer }[];
      try {
        if (o.down) rows = hi === undefined ? r.downOpen.all(lo, RANGE_CHUNK_ROWS, skip) : r.down.all(lo, hi, RANGE_CHUNK_ROWS, skip);
        else rows = hi === undefined ? r.upOpen.all(lo, RANGE_CHUNK_ROWS, skip) : r.up.all(lo, hi, RANGE_CHUNK_ROWS, skip);
      } catch (e) {
        throw this.readFault(e);
      }
      for (const row of rows) yield [bytesToBin(row.k), bytesToBin(row.v)];
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < RANGE_CHUNK_ROWS) return;
      skip = 0;
      if (o.down) hi = last.k; // below the last one read
      else lo = Buffer.concat([last.k, ZERO_BYTE]); // the least key after the last one read
    }
  }

  /** How many entries are under `prefix`, counted in SQLite. */
  countRange(prefix: Key): bigint {
    const end = prefixEnd(prefix);
    try {
      return BigInt(end === undefined ? this.range.countOpen.get(binToBuffer(prefix)) as number : this.range.count.get(binToBuffer(prefix), binToBuffer(end)) as number);
    } catch (e) {
      throw this.readFault(e);
    }
  }

  /** Persists a block's sorted write set with its height, app hash and time, atomically. */
  commit(writes: Iterable<[Key, Value | null]>, info: CommitInfo): void {
    const w = this.writer;
    if (!w) throw new Error('commit on a read-only state connection');
    try {
      w.commit(writes, info);
    } catch (err) {
      // The cache may hold writes SQLite rolled back: drop it rather than serve them.
      this.cache.clear();
      throw err;
    }
    this.last = { ...info };
    this.trimCache();
  }

  /**
   * A read-only replica learns what another connection committed: the cache takes the new
   * values, so the next block reads them without a SQLite lookup.
   */
  applyCommitted(writes: Iterable<[Key, Value | null]>, info: CommitInfo): void {
    for (const [k, v] of writes) this.cache.set(k, v);
    this.last = info;
    this.trimCache();
  }

  /** Keys in the read cache (for tests and metrics). */
  cachedKeys(): number {
    return this.cache.size;
  }

  /**
   * Past the bound, drops the oldest entries (a Map iterates in insertion order) down to seven
   * eighths of it, so that trimming is rare; a dropped key costs one SQLite lookup when read
   * again. Every entry is a committed value, so dropping one never changes what a read returns.
   * Not a FifoMap (fifo.ts): dropping an eighth at once walks the holes of the last trim once
   * per eighth of the bound, not once per insert (this trimming on a Map bounded to 200,000
   * keys, 600,000 fresh keys inserted: 0.6–1.9 µs per insert, trimming included).
   */
  private trimCache(): void {
    if (this.cache.size <= this.cacheKeys) return;
    let drop = this.cache.size - this.cacheKeys + (this.cacheKeys >> 3);
    for (const k of this.cache.keys()) {
      if (drop-- <= 0) break;
      this.cache.delete(k);
    }
  }

  close(): void {
    this.db.close();
  }
}
