import { registerError } from '@lanes/app';

// AMM codespace. Numbers are stable and never reused; every log names the offending value.
export const ErrPoolNotFound = registerError('amm', 2, 'pool not found');
export const ErrInvalidPoolType = registerError('amm', 3, 'invalid pool type');
export const ErrInvalidPoolAssets = registerError('amm', 4, 'invalid pool assets');
export const ErrInvalidSwapFee = registerError('amm', 5, 'invalid swap fee');
export const ErrInvalidAmplification = registerError('amm', 6, 'invalid amplification');
export const ErrEmptyRoute = registerError('amm', 7, 'empty route');
export const ErrRouteTooLong = registerError('amm', 8, 'route too long');
export const ErrRepeatedPool = registerError('amm', 9, 'repeated pool in route');
export const ErrDenomNotInPool = registerError('amm', 10, 'denom not in pool');
export const ErrMinAmountOutNotMet = registerError('amm', 11, 'min amount out not met');
export const ErrMaxAmountInExceeded = registerError('amm', 12, 'max amount in exceeded');
export const ErrMinSharesOutNotMet = registerError('amm', 13, 'min shares out not met');
export const ErrMinAmountsOutNotMet = registerError('amm', 14, 'min amounts out not met');
export const ErrInsufficientShares = registerError('amm', 15, 'insufficient shares');
export const ErrZeroShares = registerError('amm', 16, 'deposit would mint zero shares');
export const ErrInsufficientLiquidity = registerError('amm', 17, 'insufficient liquidity');
export const ErrZeroAmountOut = registerError('amm', 18, 'amount out rounds to zero');
export const ErrInitialLiquidityTooLow = registerError('amm', 19, 'initial liquidity too low');
export const ErrNoConvergence = registerError('amm', 20, 'stableswap math did not converge');
export const ErrInvariantViolated = registerError('amm', 21, 'pool invariant would decrease');
export const ErrAmountOverflow = registerError('amm', 22, 'amount exceeds 256 bits');
export const ErrTwapUnavailable = registerError('amm', 23, 'twap unavailable for the window');
export const ErrInvalidRoute = registerError('amm', 24, 'invalid route');
export const ErrInvalidPoolId = registerError('amm', 25, 'invalid pool id');
export const ErrInvalidGenesis = registerError('amm', 100, 'invalid amm genesis');
