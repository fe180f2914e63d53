// Chain-wide constants of the wire contract (ARCHITECTURE.md, "Wire contract"). They mirror
// app/src/constants.ts; client does not import @lanes/app so browsers never load the node's
// native dependencies. constants.test.ts fails if the two drift apart.
export const BECH32_PREFIX = 'lanes';
/** SLIP-44 coin type: Lanes uses the Cosmos Hub's, so existing wallets derive the same keys. */
export const COIN_TYPE = 118;
export const DEVNET_CHAIN_ID = 'lanes-devnet-1';
/** `lanes testnet init`'s default chain id: a local network whose genesis, like the devnet's, funds the public test accounts. */
export const TESTNET_CHAIN_ID = 'lanes-testnet-1';
export const FEE_DENOM = 'ulane';
/** Devnet minimum gas price, in CosmJS GasPrice string form. */
export const DEVNET_GAS_PRICE = '0.0025ulane';
/** Gas limit used when fees are given without a gas limit (the Cosmos SDK CLI's default). */
export const DEFAULT_GAS_LIMIT = 200_000;
/** Multiplier applied to simulated gas for `gas: 'auto'` (the Cosmos SDK CLI's usual 1.4). */
export const DEFAULT_GAS_ADJUSTMENT = 1.4;
