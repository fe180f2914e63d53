// `lanes keys ...`: a TEST keyring, `<home>/keyring-test.json`, mnemonics in clear text (mode
// 0600), like the Cosmos SDK's `--keyring-backend test`. For devnets and tests only.
// The devnet keys test0..test9 (TEST_MNEMONIC, m/44'/118'/0'/0/i) resolve by name even when the
// file lacks them, so `lanes tx bank send test0 ...` works on a fresh devnet.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { EnglishMnemonic } from '@cosmjs/crypto';
import { fromBech32 } from '@cosmjs/encoding';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { BECH32_PREFIX, DEVNET_ACCOUNT_COUNT, TEST_MNEMONIC, assertLanesAddress, devnetAccounts, isLanesAddress, lanesWallet } from '@lanes/client';
import { Option, type Command } from 'commander';

export const KEYRING_FILE = 'keyring-test.json';
export const KEYRING_WARNING = 'TEST KEYRING: mnemonics stored unencrypted; never hold real funds';
const KEYRING_VERSION = 1;
const DEVNET_NAME = /^test([0-9])$/;
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface KeyEntry {
  readonly name: string;
  readonly address: string;
  /** Account index i in m/44'/118'/0'/0/i. */
  readonly index: number;
  readonly hdPath: string;
  readonly mnemonic: string;
}

interface KeyringFile {
  readonly warning: string;
  readonly version: number;
  readonly keys: KeyEntry[];
}

/** A user-facing failure: printed as `error: <message>` without a stack trace, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

// ---------------------------------------------------------------------------------------------
// Shared by the command files (tx.ts, query.ts).

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `--home` (a global option of the root program), else $LANES_HOME, else `<repo>/.devnet`. */
export function resolveHome(cmd: Command): string {
  const home = (cmd.optsWithGlobals() as { home?: unknown }).home;
  if (typeof home === 'string' && home !== '') return resolve(home);
  return resolve(process.env['LANES_HOME'] || join(repoRoot, '.devnet'));
}

/**
 * Wraps an async action so that any failure prints `error: <message>` and exits with code 1.
 * Commander passes (args..., options, command); the command is the last argument.
 */
export function cliAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const cmd = args[args.length - 1] as Command;
      const msg = e instanceof Error ? e.message : String(e);
      // One line: the command was typed right, so its usage would only bury the reason.
      cmd.showHelpAfterError(false);
      cmd.error(`error: ${msg}`, { exitCode: 1, code: 'lanes.error' });
    }
  };
}

/**
 * Node fetch reports an unreachable RPC as a bare "fetch failed" with the reason in `cause`;
 * say which endpoint and why. Other errors pass through unchanged.
 */
export function explainNodeError(e: unknown, node: string): unknown {
  if (!(e instanceof Error) || !/fetch failed|ECONNREFUSED|ENOTFOUND|socket hang up/i.test(e.message)) return e;
  const cause = e.cause instanceof Error ? ` (${(e.cause as Error & { code?: string }).code ?? e.cause.message})` : '';
  return new CliError(`cannot reach node ${node}: ${e.message}${cause}; is it running? (npm start)`);
}

export const outputOption = (): Option =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Keyring file.

export function keyringPath(home: string): string {
  return join(home, KEYRING_FILE);
}

function note(home: string): void {
  // stderr, so `keys show -a` output stays scriptable.
  process.stderr.write(`note: ${KEYRING_WARNING} (${keyringPath(home)})\n`);
}

function hdPathString(index: number): string {
  return `m/44'/118'/0'/0/${index}`;
}

export function loadKeyring(home: string): KeyringFile {
  const path = keyringPath(home);
  if (!existsSync(path)) return { warning: KEYRING_WARNING, version: KEYRING_VERSION, keys: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read keyring ${path}: ${(e as Error).message}`);
  }
  const file = parsed as Partial<KeyringFile> | null;
  if (!file || typeof file !== 'object' || !Array.isArray(file.keys)) throw new CliError(`keyring ${path} is malformed: no "keys" array`);
  if (file.version !== KEYRING_VERSION) throw new CliError(`keyring ${path} has version ${String(file.version)}, expected ${KEYRING_VERSION}`);
  for (const k of file.keys as unknown[]) {
    const e = k as Partial<KeyEntry> | null;
    if (!e || typeof e.name !== 'string' || typeof e.address !== 'string' || typeof e.mnemonic !== 'string' || !Number.isSafeInteger(e.index)) {
      throw new CliError(`keyring ${path} is malformed: bad entry ${JSON.stringify(k)?.slice(0, 80)}`);
    }
  }
  // The file holds secrets: keep it private even if someone loosened it.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return { warning: KEYRING_WARNING, version: KEYRING_VERSION, keys: file.keys };
}

export function saveKeyring(home: string, keyring: KeyringFile): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = keyringPath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  const body: KeyringFile = { warning: KEYRING_WARNING, version: KEYRING_VERSION, keys: keyring.keys };
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // writeFileSync's mode is subject to the umask
  renameSync(tmp, path);
}

async function deriveEntry(name: string, mnemonic: string, index: number): Promise<KeyEntry> {
  const wallet = await lanesWallet(mnemonic, { firstIndex: index });
  const [account] = await wallet.getAccounts();
  if (!account) throw new Error('wallet derived no account');
  return { name, address: account.address, index, hdPath: hdPathString(index), mnemonic };
}

/** The built-in devnet key `test<i>`, or undefined when `name` is not one. */
async function devnetEntry(name: string): Promise<KeyEntry | undefined> {
  const m = DEVNET_NAME.exec(name);
  if (!m) return undefined;
  const index = Number(m[1]);
  if (index >= DEVNET_ACCOUNT_COUNT) return undefined;
  return deriveEntry(name, TEST_MNEMONIC, index);
}

export interface ResolvedKey {
  readonly entry: KeyEntry;
  /** Holds exactly the one account `entry.address`. */
  readonly wallet: DirectSecp256k1HdWallet;
}

/**
 * A signing key by keyring name, by built-in devnet name (test0..test9), or by the address of
 * either. Throws CliError naming the input when nothing matches.
 */
export async function resolveKey(home: string, nameOrAddress: string): Promise<ResolvedKey> {
  const { keys } = loadKeyring(home);
  const byAddress = isLanesAddress(nameOrAddress);
  // A mistyped address is not a key name: say what is wrong with it.
  if (!byAddress && looksLikeAddress(nameOrAddress)) checkAddressShaped(nameOrAddress, 'signer');
  let entry = keys.find((k) => (byAddress ? k.address === nameOrAddress : k.name === nameOrAddress));
  if (!entry && !byAddress) entry = await devnetEntry(nameOrAddress);
  if (!entry && byAddress) {
    const devnet = (await devnetAccounts()).find((a) => a.address === nameOrAddress);
    if (devnet) entry = await devnetEntry(`test${devnet.index}`);
  }
  if (!entry) {
    throw new CliError(
      byAddress
        ? `no key for address ${nameOrAddress} in ${keyringPath(home)} (nor among devnet keys test0..test9)`
        : `no key named "${nameOrAddress}" in ${keyringPath(home)} (try \`lanes keys list\`)`,
    );
  }
  const wallet = await lanesWallet(entry.mnemonic, { firstIndex: entry.index });
  const [account] = await wallet.getAccounts();
  if (account?.address !== entry.address) {
    throw new CliError(`keyring entry "${entry.name}" is corrupt: its mnemonic derives ${account?.address ?? 'nothing'}, file says ${entry.address}`);
  }
  return { entry, wallet };
}

/**
 * Shaped like a bech32 address of any chain, valid or not: it decodes, or it starts with `lanes1`,
 * or it is a prefix, `1` and at least 38 characters of bech32's alphabet (a 20-byte payload and its
 * checksum). Such a value is an address with a typo, never a key name to look up.
 */
export function looksLikeAddress(value: string): boolean {
  try {
    fromBech32(value);
    return true;
  } catch {
    return value.toLowerCase().startsWith(`${BECH32_PREFIX}1`) || /^[a-z][a-z0-9]*1[02-9ac-hj-np-z]{38,}$/i.test(value);
  }
}

/** The address error for a value shaped like an address (see looksLikeAddress) that is not a lanes one. */
function checkAddressShaped(value: string, what: string): void {
  try {
    assertLanesAddress(value, what);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export interface ResolvedAddress {
  readonly address: string;
  /** The key it was found under, when `value` was a name. */
  readonly name?: string;
  /** Found as a built-in devnet name (test0..test9, not stored in the keyring): its key is public. */
  readonly builtIn?: true;
}

/**
 * An address argument (`<to>`, `query bank balances <address>`): a lanes address as it is, else the
 * address of the key of that name in the keyring of `home`, else of the built-in devnet key of that
 * name (test0..test9; `builtIn` says so, for a caller that sends funds there to check the chain). A
 * value shaped like an address gets the address error (`what` names it), not a key lookup. Throws
 * CliError naming the value when it is neither.
 */
export async function resolveAddress(home: string, value: string, what: string): Promise<ResolvedAddress> {
  if (looksLikeAddress(value)) {
    checkAddressShaped(value, what);
    return { address: value };
  }
  const stored = loadKeyring(home).keys.find((k) => k.name === value);
  if (stored) return { address: stored.address, name: stored.name };
  const devnet = await devnetEntry(value);
  if (devnet) return { address: devnet.address, name: devnet.name, builtIn: true };
  throw new CliError(`${what} is not a lanes address or a key in ${keyringPath(home)}: ${value}`);
}

/** `name (lanes1...)` for an address found by key name, else the address. */
export function showAddress(a: ResolvedAddress): string {
  return a.name === undefined ? a.address : `${a.name} (${a.address})`;
}

// ---------------------------------------------------------------------------------------------
// Commands.

function checkName(name: string): void {
  if (!KEY_NAME.test(name)) throw new CliError(`invalid key name "${name}": use 1-64 of [A-Za-z0-9._-], starting with a letter or digit`);
  if (DEVNET_NAME.test(name)) throw new CliError(`key name "${name}" is reserved for the devnet keys (see \`lanes keys import-devnet\`)`);
  // Where an address is expected such a value is read as an address, never as a key name.
  if (looksLikeAddress(name)) throw new CliError(`key name "${name}" is shaped like an address, and would be read as one: choose another name`);
}

function parseIndex(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n >= 2 ** 31) throw new CliError(`invalid --index "${value}": expected an integer in [0, 2^31)`);
  return n;
}

async function readMnemonic(): Promise<string> {
  let text: string;
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      text = await rl.question('> Enter your bip39 mnemonic\n');
    } finally {
      rl.close();
    }
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (![12, 15, 18, 21, 24].includes(words.length)) {
    throw new CliError(`invalid mnemonic: ${words.length} words, expected 12, 15, 18, 21 or 24`);
  }
  const mnemonic = words.join(' ');
  try {
    new EnglishMnemonic(mnemonic); // checks the word list and the checksum
  } catch (e) {
    throw new CliError(`invalid mnemonic: ${(e as Error).message}`);
  }
  return mnemonic;
}

function printKey(k: Pick<KeyEntry, 'name' | 'address' | 'hdPath'>, source?: string): void {
  process.stdout.write(`- name: ${k.name}\n  address: ${k.address}\n  hd_path: ${k.hdPath}\n${source ? `  source: ${source}\n` : ''}`);
}

export function register(program: Command): void {
  const keys = program.command('keys').description(`manage the test keyring (<home>/${KEYRING_FILE}; ${KEYRING_WARNING})`);

  keys
    .command('add <name>')
    .description('create a key (24-word mnemonic), or with --recover import a mnemonic read from stdin')
    .option('--recover', 'read a bip39 mnemonic from stdin instead of generating one')
    .option('--index <n>', "account index i in m/44'/118'/0'/0/i", '0')
    .addOption(outputOption())
    .action(
      cliAction(async (name: string, opts: { recover?: boolean; index: string; output: string }, cmd: Command) => {
        const home = resolveHome(cmd);
        note(home);
        checkName(name);
        const index = parseIndex(opts.index);
        const keyring = loadKeyring(home);
        if (keyring.keys.some((k) => k.name === name)) throw new CliError(`key "${name}" already exists in ${keyringPath(home)}`);
        const mnemonic = opts.recover
          ? await readMnemonic()
          : (await DirectSecp256k1HdWallet.generate(24, { prefix: BECH32_PREFIX })).mnemonic;
        const entry = await deriveEntry(name, mnemonic, index);
        const clash = keyring.keys.find((k) => k.address === entry.address);
        if (clash) throw new CliError(`address ${entry.address} is already in the keyring as "${clash.name}"`);
        saveKeyring(home, { ...keyring, keys: [...keyring.keys, entry] });
        if (opts.output === 'json') {
          printJson({ name, address: entry.address, hd_path: entry.hdPath, ...(opts.recover ? {} : { mnemonic }) });
          return;
        }
        printKey(entry);
        if (!opts.recover) {
          process.stdout.write(`\n**Important** write this mnemonic phrase in a safe place.\nIt is the only way to recover your account.\n\n${mnemonic}\n`);
        }
      }),
    );

  keys
    .command('list')
    .description('list stored keys and the built-in devnet keys test0..test9')
    .addOption(outputOption())
    .action(
      cliAction(async (opts: { output: string }, cmd: Command) => {
        const home = resolveHome(cmd);
        note(home);
        const { keys: stored } = loadKeyring(home);
        const rows: (Pick<KeyEntry, 'name' | 'address' | 'hdPath'> & { source: string })[] = stored.map((k) => ({
          name: k.name, address: k.address, hdPath: k.hdPath, source: 'keyring',
        }));
        for (const a of await devnetAccounts()) {
          if (!stored.some((k) => k.name === `test${a.index}`)) {
            rows.push({ name: `test${a.index}`, address: a.address, hdPath: hdPathString(a.index), source: 'devnet (built in)' });
          }
        }
        if (opts.output === 'json') {
          printJson(rows.map((r) => ({ name: r.name, address: r.address, hd_path: r.hdPath, source: r.source })));
          return;
        }
        for (const r of rows) printKey(r, r.source);
      }),
    );

  keys
    .command('show <name>')
    .description('show a key by name (stored or devnet test0..test9)')
    .option('-a, --address', 'print only the address')
    .addOption(outputOption())
    .action(
      cliAction(async (name: string, opts: { address?: boolean; output: string }, cmd: Command) => {
        const home = resolveHome(cmd);
        note(home);
        const stored = loadKeyring(home).keys.find((k) => k.name === name);
        const entry = stored ?? (await devnetEntry(name));
        if (!entry) throw new CliError(`no key named "${name}" in ${keyringPath(home)} (try \`lanes keys list\`)`);
        if (opts.address) {
          process.stdout.write(`${entry.address}\n`);
          return;
        }
        const source = stored ? 'keyring' : 'devnet (built in)';
        if (opts.output === 'json') printJson({ name: entry.name, address: entry.address, hd_path: entry.hdPath, source });
        else printKey(entry, source);
      }),
    );

  keys
    .command('import-devnet')
    .description('store the ten devnet test keys (public TEST_MNEMONIC) as test0..test9')
    .action(
      cliAction(async (_opts: unknown, cmd: Command) => {
        const home = resolveHome(cmd);
        note(home);
        const keyring = loadKeyring(home);
        const added: string[] = [];
        const keys = [...keyring.keys];
        for (const a of await devnetAccounts()) {
          const name = `test${a.index}`;
          const existing = keys.find((k) => k.name === name);
          if (existing) {
            if (existing.address !== a.address) throw new CliError(`key "${name}" exists with address ${existing.address}, not devnet ${a.address}; remove it first`);
            continue;
          }
          keys.push({ name, address: a.address, index: a.index, hdPath: hdPathString(a.index), mnemonic: TEST_MNEMONIC });
          added.push(name);
        }
        if (added.length) saveKeyring(home, { ...keyring, keys });
        process.stdout.write(added.length ? `imported ${added.join(', ')} into ${keyringPath(home)}\n` : `devnet keys already present in ${keyringPath(home)}\n`);
      }),
    );
}
