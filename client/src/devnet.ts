// The local devnet's well-known test accounts. The mnemonic is public: never fund it on a real chain.
import type { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { lanesWallet } from './connect.ts';
export { DEVNET_CHAIN_ID } from './constants.ts';

/** The Hardhat/Foundry test mnemonic: its 10 first accounts are funded at devnet genesis. */
export const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEVNET_ACCOUNT_COUNT = 10;
export const DEVNET_RPC = 'http://127.0.0.1:26657';

export interface DevnetAccount {
  /** HD index i in m/44'/118'/0'/0/i; the CLI calls this key `test<i>`. */
  readonly index: number;
  readonly address: string;
}

/** A wallet holding the 10 devnet accounts (TEST_MNEMONIC, indices 0..9). */
export function devnetWallet(): Promise<DirectSecp256k1HdWallet> {
  return lanesWallet(TEST_MNEMONIC, { accounts: DEVNET_ACCOUNT_COUNT });
}

/** The 10 devnet accounts' addresses, index 0 first. */
export async function devnetAccounts(): Promise<DevnetAccount[]> {
  const accounts = await (await devnetWallet()).getAccounts();
  return accounts.map((a, index) => ({ index, address: a.address }));
}
