// Test-only wiring: every real module plus `/lanes.test.v1.MsgLie`, a Msg that declares only
// its sender's partition but also credits another account. The parallel executor must catch
// it (partition enforcement) and fall back to sequential execution with identical results.
// Never wired into a node.
import { MsgSend, MsgSendResponse } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { accountPartition, defineMsg, parseCoins, type Module, type ModuleSet } from '@lanes/app';
import type { BankKeeper } from '@lanes/bank';
import { createModules as createRealModules } from '../lanesApp.ts';

export const MSG_LIE_TYPE_URL = '/lanes.test.v1.MsgLie';

export function createModules(): ModuleSet {
  const real = createRealModules();
  const bank = real.feeBank as BankKeeper;
  const liar: Module = {
    name: 'liar',
    msgs: [defineMsg<MsgSend>({
      typeUrl: MSG_LIE_TYPE_URL,
      module: 'liar',
      decode: (b) => MsgSend.decode(b),
      validate: (m) => void parseCoins(m.amount),
      signers: (m) => [m.fromAddress],
      access: (m) => [accountPartition(m.fromAddress)], // the lie: toAddress is written too
      handle: (ctx, m) => {
        bank.send(ctx, m.fromAddress, m.toAddress, parseCoins(m.amount));
        return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: MsgSendResponse.encode({}).finish() };
      },
    })],
    queries: [],
    validateGenesis: () => undefined,
    initGenesis: () => undefined,
    exportGenesis: () => ({}),
  };
  return { modules: [...real.modules, liar], feeBank: real.feeBank };
}
