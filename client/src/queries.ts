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
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { PageRequest } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import type { Coin } from 'cosmjs-types/cosmos/base/v1beta1/coin';

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
 *   const coins = await allBalances(query, 'lanes1...'); // query.bank.allBalances reads one page
 *   query.disconnect();
 */
export async function createLanesQueryClient(rpcUrl: string): Promise<LanesQueryConnection> {
  const cometClient = await Comet38Client.connect(rpcUrl);
  // withExtensions mixes the extensions into the QueryClient the same way.
  return Object.assign(lanesQueryClient(cometClient), { disconnect: () => cometClient.disconnect() });
}

/** Pages of 1,000 (the most the chain serves). */
const BALANCES_PAGE = 1000n;

/**
 * Every balance of `address`, page after page, all at one height. CosmJS's `bank.allBalances`
 * reads the first page only, 100 denoms, and LP shares (`amm/pool/<id>`) sort before `u…`, so
 * dust of 100 pools' shares would push an account's own tokens off it. A block committed between
 * two pages could move a balance across the page boundary: the read starts over, up to `tries`
 * times in all.
 */
export async function allBalances(q: Pick<QueryClient, 'queryAbci'>, address: string, tries = 3): Promise<Coin[]> {
  for (let attempt = 0; attempt < tries; attempt++) {
    const coins = await balancesAtOneHeight(q, address);
    if (coins) return coins;
  }
  throw new Error(`the balances of ${address} span several pages and a block committed during each of ${tries} reads: try again`);
}

/** Every page of `address`'s balances, or undefined once a page answers at another height than the first. */
async function balancesAtOneHeight(q: Pick<QueryClient, 'queryAbci'>, address: string): Promise<Coin[] | undefined> {
  const out: Coin[] = [];
  let key: Uint8Array = new Uint8Array();
  let height: number | undefined;
  do {
    const r = await q.queryAbci('/cosmos.bank.v1beta1.Query/AllBalances',
      QueryAllBalancesRequest.encode({ address, resolveDenom: false, pagination: PageRequest.fromPartial({ key, limit: BALANCES_PAGE }) }).finish());
    if (height !== undefined && r.height !== height) return undefined;
    height = r.height;
    const page = QueryAllBalancesResponse.decode(r.value);
    out.push(...page.balances);
    key = page.pagination?.nextKey ?? new Uint8Array();
  } while (key.length > 0);
  return out;
}
