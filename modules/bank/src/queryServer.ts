// Bank queries: reject bad requests -> validate -> read. Paths and types are the Cosmos SDK's.
import {
  QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
  QuerySupplyOfRequest, QuerySupplyOfResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse,
} from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { decodeRequest, toWireCoin, validateAddress, validateDenom, type QueryHandler } from '@lanes/app';
import type { BankKeeper } from './keeper.ts';

export function bankQueryHandlers(keeper: BankKeeper): QueryHandler[] {
  return [
    {
      path: '/cosmos.bank.v1beta1.Query/Balance',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryBalanceRequest, data);
        validateAddress(req.address);
        validateDenom(req.denom);
        const amount = keeper.balance(ctx, req.address, req.denom);
        return QueryBalanceResponse.encode({ balance: { denom: req.denom, amount: amount.toString() } }).finish();
      },
    },
    {
      path: '/cosmos.bank.v1beta1.Query/AllBalances',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryAllBalancesRequest, data);
        validateAddress(req.address);
        const page = keeper.balancesPage(ctx, req.address, req.pagination);
        return QueryAllBalancesResponse.encode({ balances: page.items.map(toWireCoin), pagination: page.pagination }).finish();
      },
    },
    {
      path: '/cosmos.bank.v1beta1.Query/SupplyOf',
      handle: (ctx, data) => {
        const req = decodeRequest(QuerySupplyOfRequest, data);
        validateDenom(req.denom);
        return QuerySupplyOfResponse.encode({ amount: { denom: req.denom, amount: keeper.supplyOf(ctx, req.denom).toString() } }).finish();
      },
    },
    {
      path: '/cosmos.bank.v1beta1.Query/TotalSupply',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryTotalSupplyRequest, data);
        const page = keeper.supplyPage(ctx, req.pagination);
        return QueryTotalSupplyResponse.encode({ supply: page.items.map(toWireCoin), pagination: page.pagination }).finish();
      },
    },
  ];
}
