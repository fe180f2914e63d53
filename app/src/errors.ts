// Registered errors: every rejection a user can hit has a stable (codespace, code) pair and a
// log naming the bad value. Numbers are never reused; registering a pair twice throws at startup.

const registry = new Map<string, RegisteredError>();

export class LanesError extends Error {
  override readonly name = 'LanesError';
  constructor(
    readonly codespace: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class RegisteredError {
  constructor(
    readonly codespace: string,
    readonly code: number,
    readonly description: string,
  ) {}

  /** An error of this kind whose log is `<detail>: <description>`, as the Cosmos SDK prints. */
  wrap(detail: string): LanesError {
    return new LanesError(this.codespace, this.code, `${detail}: ${this.description}`);
  }

  is(err: unknown): boolean {
    return err instanceof LanesError && err.codespace === this.codespace && err.code === this.code;
  }
}

export function registerError(codespace: string, code: number, description: string): RegisteredError {
  if (code <= 1) throw new Error(`error code ${code} in codespace ${codespace} is reserved (0 = ok, 1 = internal)`);
  const key = `${codespace}/${code}`;
  if (registry.has(key)) throw new Error(`error ${key} registered twice`);
  const e = new RegisteredError(codespace, code, description);
  registry.set(key, e);
  return e;
}

export function registeredErrors(): RegisteredError[] {
  return [...registry.values()];
}

// Root codespace: the Cosmos SDK's numbers, so integrators' error handling carries over.
export const ErrTxDecode = registerError('sdk', 2, 'tx parse error');
export const ErrInvalidSequence = registerError('sdk', 3, 'invalid sequence');
export const ErrUnauthorized = registerError('sdk', 4, 'unauthorized');
export const ErrInsufficientFunds = registerError('sdk', 5, 'insufficient funds');
export const ErrUnknownRequest = registerError('sdk', 6, 'unknown request');
export const ErrInvalidAddress = registerError('sdk', 7, 'invalid address');
export const ErrInvalidPubKey = registerError('sdk', 8, 'invalid pubkey');
export const ErrUnknownAddress = registerError('sdk', 9, 'unknown address');
export const ErrInvalidCoins = registerError('sdk', 10, 'invalid coins');
export const ErrOutOfGas = registerError('sdk', 11, 'out of gas');
export const ErrMemoTooLarge = registerError('sdk', 12, 'memo too large');
export const ErrInsufficientFee = registerError('sdk', 13, 'insufficient fee');
export const ErrTooManySignatures = registerError('sdk', 14, 'maximum number of signatures exceeded');
export const ErrNoSignatures = registerError('sdk', 15, 'no signatures supplied');
export const ErrInvalidRequest = registerError('sdk', 18, 'invalid request');
export const ErrMempoolIsFull = registerError('sdk', 20, 'mempool is full');
export const ErrTxTooLarge = registerError('sdk', 21, 'tx too large');
export const ErrKeyNotFound = registerError('sdk', 22, 'key not found');
export const ErrInvalidHeight = registerError('sdk', 26, 'invalid height');
export const ErrInvalidChainID = registerError('sdk', 28, 'invalid chain-id');
export const ErrInvalidType = registerError('sdk', 29, 'invalid type');
export const ErrTxTimeoutHeight = registerError('sdk', 30, 'tx timeout height');
export const ErrUnknownExtensionOptions = registerError('sdk', 31, 'unknown extension options');
export const ErrWrongSequence = registerError('sdk', 32, 'incorrect account sequence');
export const ErrNotSupported = registerError('sdk', 37, 'feature not supported');
export const ErrNotFound = registerError('sdk', 38, 'not found');
export const ErrInvalidGasLimit = registerError('sdk', 41, 'invalid gas limit');
/** A handler threw something that is not a LanesError: a bug, reported without crashing the node. */
export const ErrInternal = registerError('sdk', 111222, 'internal error');

/**
 * This node's state store could not be read (a disk or database error, a closed connection): a
 * fault of the node, never of the tx. See isNodeFault.
 */
export class StoreFault extends Error {
  override readonly name = 'StoreFault';
}

/**
 * Errors that say this node failed, not the tx: the thread ran out of something (stack, heap,
 * V8's size limits), whose place depends on the thread, its stack and its history, or the state
 * store failed (StoreFault), which depends on this node's disk. In a block they must never
 * become a tx's result (see runTx), since another thread or validator would have gone on: the
 * block stops instead, on this node only, and is run again after a restart.
 */
export function isNodeFault(err: unknown): boolean {
  if (err instanceof StoreFault) return true;
  return err instanceof RangeError
    && /Maximum call stack size exceeded|maximum size exceeded|allocation failed|Invalid array length|Invalid string length|Invalid typed array length|out of memory/i.test(err.message);
}

/**
 * Maps any thrown value to (codespace, code, log). Unknown exceptions become ErrInternal.
 * `redact` (a block's results): an exception that is not a LanesError (a bug) gets a fixed log,
 * as in the Cosmos SDK, since its text is the engine's (V8's messages change between Node.js
 * versions, and validators on two versions would write two results). CheckTx and simulations of
 * the same tx show the text.
 */
export function toAbciError(err: unknown, redact = false): { codespace: string; code: number; log: string } {
  if (err instanceof LanesError) return { codespace: err.codespace, code: err.code, log: err.message };
  if (redact) return { codespace: ErrInternal.codespace, code: ErrInternal.code, log: ErrInternal.description };
  const msg = err instanceof Error ? err.message : String(err);
  return { codespace: ErrInternal.codespace, code: ErrInternal.code, log: `${msg}: ${ErrInternal.description}` };
}
