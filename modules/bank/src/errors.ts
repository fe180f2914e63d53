import { registerError } from '@lanes/app';

// Bank codespace; numbers follow the Cosmos SDK's x/bank and are never reused.
export const ErrNoInputs = registerError('bank', 2, 'no inputs to send transaction');
export const ErrSendDisabled = registerError('bank', 5, 'send transactions are disabled');
export const ErrDuplicateEntry = registerError('bank', 8, 'duplicate entry');
export const ErrInvalidGenesis = registerError('bank', 100, 'invalid bank genesis');
