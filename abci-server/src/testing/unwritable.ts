// Test-only: makes a file or folder this process may not write, as a home of another user's or on
// a read-only disk would be. Not root: its permission bits (writes fail with EACCES). Root, whom
// permission bits do not stop, as CI runs: the immutable attribute (chattr +i, EPERM), where the
// file system has it.
import { chmodSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface Unwritable {
  /** What a write gets: EACCES (permission bits) or EPERM (immutable). */
  code: 'EACCES' | 'EPERM';
  /** Node's words for the code, as homeWriteError quotes them. */
  words: string;
  /** Makes it writable again. */
  undo(): void;
}

/** Null where neither works (root on a file system without attributes). */
export function makeUnwritable(path: string): Unwritable | null {
  if (process.getuid?.() !== 0) {
    const mode = statSync(path).mode & 0o7777;
    chmodSync(path, mode & ~0o222);
    return { code: 'EACCES', words: 'permission denied', undo: () => chmodSync(path, mode) };
  }
  const chattr = (flag: string) => spawnSync('chattr', [flag, path], { stdio: 'ignore' }).status === 0;
  if (!chattr('+i')) return null;
  return {
    code: 'EPERM',
    words: 'operation not permitted',
    undo: () => {
      // Loudly: an immutable file left behind cannot be deleted, even by root, until chattr -i.
      if (!chattr('-i')) throw new Error(`chattr -i ${path} failed: run it by hand to delete ${path}`);
    },
  };
}
