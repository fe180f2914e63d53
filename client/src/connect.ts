// Connection helpers: CosmJS clients configured for Lanes (registry, gas price, poll interval).
import { DirectSecp256k1HdWallet, makeCosmoshubPath, type OfflineSigner } from '@cosmjs/proto-signing';
import { GasPrice, SigningStargateClient, StargateClient, type SigningStargateClientOptions } from '@cosmjs/stargate';
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import { BECH32_PREFIX, DEVNET_GAS_PRICE } from './constants.ts';
import { createLanesRegistry } from './messages.ts';

/** Blocks take ~0.5-1 s; CosmJS's default 3 s poll would add seconds to every send. */
export const DEFAULT_BROADCAST_POLL_INTERVAL_MS = 500;
export const DEFAULT_BROADCAST_TIMEOUT_MS = 30_000;

export interface ConnectLanesOptions {
  /** Default `0.0025ulane`, the devnet minimum. */
  readonly gasPrice?: string | GasPrice;
  readonly broadcastPollIntervalMs?: number;
  readonly broadcastTimeoutMs?: number;
}

/** The SigningStargateClient options connectLanes uses; exported for `createWithSigner` users. */
export function lanesClientOptions(options: ConnectLanesOptions = {}): SigningStargateClientOptions {
  const gasPrice = options.gasPrice ?? DEVNET_GAS_PRICE;
  return {
    registry: createLanesRegistry(),
    gasPrice: typeof gasPrice === 'string' ? GasPrice.fromString(gasPrice) : gasPrice,
    broadcastPollIntervalMs: options.broadcastPollIntervalMs ?? DEFAULT_BROADCAST_POLL_INTERVAL_MS,
    broadcastTimeoutMs: options.broadcastTimeoutMs ?? DEFAULT_BROADCAST_TIMEOUT_MS,
  };
}

/**
 * A SigningStargateClient for a Lanes node. Lanes runs CometBFT v0.38, so the 0.38 RPC client
 * is used directly instead of CosmJS's version auto-detection (one fewer round trip).
 * The caller disconnects it with `client.disconnect()`.
 */
export async function connectLanes(
  rpcUrl: string,
  signer: OfflineSigner,
  options: ConnectLanesOptions = {},
): Promise<SigningStargateClient> {
  const comet = await Comet38Client.connect(rpcUrl);
  return SigningStargateClient.createWithSigner(comet, signer, lanesClientOptions(options));
}

/** A read-only StargateClient for a Lanes node (balances, accounts, txs, broadcast of signed bytes). */
export async function connectLanesReadOnly(rpcUrl: string): Promise<StargateClient> {
  return StargateClient.create(await Comet38Client.connect(rpcUrl));
}

export interface LanesWalletOptions {
  /** How many consecutive accounts to derive. Default 1. */
  readonly accounts?: number;
  /** HD index of the first account. Default 0. */
  readonly firstIndex?: number;
}

/** m/44'/118'/0'/0/<index>: the Cosmos Hub path, so Keplr and friends derive the same address. */
export const lanesHdPath = makeCosmoshubPath;

/** A DirectSecp256k1HdWallet with prefix `lanes` and accounts at m/44'/118'/0'/0/i. */
export async function lanesWallet(mnemonic: string, options: LanesWalletOptions = {}): Promise<DirectSecp256k1HdWallet> {
  const accounts = options.accounts ?? 1;
  const first = options.firstIndex ?? 0;
  if (!Number.isSafeInteger(accounts) || accounts < 1) throw new RangeError(`invalid accounts ${accounts}: expected an integer >= 1`);
  if (!Number.isSafeInteger(first) || first < 0 || first + accounts > 2 ** 31) {
    throw new RangeError(`invalid firstIndex ${first}: expected an integer in [0, 2^31 - accounts]`);
  }
  const hdPaths = Array.from({ length: accounts }, (_, i) => lanesHdPath(first + i));
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: BECH32_PREFIX, hdPaths });
}
