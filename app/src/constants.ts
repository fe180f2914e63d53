// Chain-wide constants of the wire contract (ARCHITECTURE.md, "Wire contract").
export const BECH32_PREFIX = 'lanes';
export const DEVNET_CHAIN_ID = 'lanes-devnet-1';
export const FEE_DENOM = 'ulane';
/** Devnet minimum gas price in ulane per gas unit, as a decimal string. */
export const DEVNET_MIN_GAS_PRICE = '0.0025';
export const APP_NAME = 'lanes';
export const APP_VERSION = '0.1.0';
/** ABCI app protocol version reported in Info. */
export const APP_PROTOCOL_VERSION = 1n;
