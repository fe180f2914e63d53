// The bank module: balances, supply, MsgSend. LP shares and lending receipts are bank denoms.
import { noteReceipt, type Module } from '@lanes/app';
import { BankKeeper } from './keeper.ts';
import { bankMsgHandlers } from './msgServer.ts';
import { bankQueryHandlers } from './queryServer.ts';
import { exportBankGenesis, initBankGenesis, validateBankGenesis } from './genesis.ts';

export { BankKeeper } from './keeper.ts';
export { Balances, Supply, supplyPartition } from './keys.ts';
export { MSG_SEND_SHAPE, MSG_SEND_TYPE_URL, validateMsgSend } from './msgServer.ts';
export type { BankGenesis } from './genesis.ts';
export * from './errors.ts';

/** `blockedRecipients`: the module accounts MsgSend refuses to pay (see validateMsgSend). */
export function createBankModule(opts: { blockedRecipients?: Iterable<string> } = {}): { module: Module; keeper: BankKeeper } {
  const keeper = new BankKeeper({ noteReceipt });
  const module: Module = {
    name: 'bank',
    msgs: bankMsgHandlers(keeper, new Set(opts.blockedRecipients)),
    queries: bankQueryHandlers(keeper),
    validateGenesis: (s) => void validateBankGenesis(s),
    initGenesis: (ctx, s) => initBankGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportBankGenesis(ctx),
  };
  return { module, keeper };
}
