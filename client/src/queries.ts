// Query helpers in CosmJS's shape: `setupXExtension(base)` per module, combined with
// QueryClient.withExtensions. Lanes modules add theirs (setupAmmExtension, ...) beside these.
//
// Which ABCI query paths the chain serves (README, "What integrators can rely on"): auth Account,
// bank Balance/AllBalances/SupplyOf/TotalSupply and tx Simulate. Other methods of these CosmJS
// extensions (tx.getTx, auth.params, bank.denomMetadata, ...) answer "unknown query path" (code
// 6); for a tx by hash use StargateClient.getTx, which reads CometBFT's tx index.
import {
  QueryClient,
  setupAuthExtension,
  setupBankExtension,
  setupTxExtension,
  type AuthExtension,
  type BankExtension,
  type TxExtension,
} from '@cosmjs/stargate';
import { setupAmmExtension, type AmmExtension } from './amm.ts';
import { Comet38Client, type CometClient } from '@cosmjs/tendermint-rpc';

export type { AuthExtension, BankExtension, TxExtension } from '@cosmjs/stargate';
export { setupAuthExtension, setupBankExtension, setupTxExtension } from '@cosmjs/stargate';

export type LanesQueryClient = QueryClient & AuthExtension & BankExtension & TxExtension & AmmExtension;

/** Every Lanes query extension on one CometBFT client; the caller owns (and disconnects) it. */
export function lanesQueryClient(cometClient: CometClient): LanesQueryClient {
  return QueryClient.withExtensions(cometClient, setupAuthExtension, setupBankExtension, setupTxExtension, setupAmmExtension);
}

/** A LanesQueryClient that owns its RPC connection. */
export type LanesQueryConnection = LanesQueryClient & { disconnect(): void };

/**
 * Connects to a Lanes node's RPC and returns its query client. Call `disconnect()` when done.
 *
 *   const query = await createLanesQueryClient(DEVNET_RPC);
 *   const coins = await query.bank.allBalances('lanes1...');
 *   query.disconnect();
 */
export async function createLanesQueryClient(rpcUrl: string): Promise<LanesQueryConnection> {
  const cometClient = await Comet38Client.connect(rpcUrl);
  // withExtensions mixes the extensions into the QueryClient the same way.
  return Object.assign(lanesQueryClient(cometClient), { disconnect: () => cometClient.disconnect() });
}
