// decode -> validate -> one keeper call -> typed response.
import { MsgSend, MsgSendResponse } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { COIN_SHAPE, ErrInvalidCoins, ErrUnauthorized, defineMsg, protoShape, parseCoins, validateAddress, type MsgHandler } from '@lanes/app';
import type { BankKeeper } from './keeper.ts';
import { msgSendAccess } from './access.ts';

export const MSG_SEND_TYPE_URL = '/cosmos.bank.v1beta1.MsgSend';
/** MsgSend's fields (cosmos/bank/v1beta1/tx.proto): from_address, to_address, amount. */
export const MSG_SEND_SHAPE = protoShape('cosmos.bank.v1beta1.MsgSend', [[1, 2], [2, 2], [3, 2, COIN_SHAPE]]);

const NONE_BLOCKED: ReadonlySet<string> = new Set();

/**
 * `blocked`: module accounts that no MsgSend may pay (the Cosmos SDK's blocked addresses): what
 * they receive only their module moves, so a user's coins sent there would be lost for good.
 */
export function validateMsgSend(msg: MsgSend, blocked: ReadonlySet<string> = NONE_BLOCKED): void {
  validateAddress(msg.fromAddress, 'from address');
  validateAddress(msg.toAddress, 'to address');
  if (blocked.has(msg.toAddress)) throw ErrUnauthorized.wrap(`${msg.toAddress} is a module account and is not allowed to receive funds`);
  if (msg.amount.length === 0) throw ErrInvalidCoins.wrap('amount is empty: a send moves at least one coin');
  parseCoins(msg.amount);
}

export function bankMsgHandlers(keeper: BankKeeper, blocked: ReadonlySet<string>): MsgHandler<unknown>[] {
  return [
    defineMsg<MsgSend>({
      typeUrl: MSG_SEND_TYPE_URL,
      module: 'bank',
      shape: MSG_SEND_SHAPE,
      decode: (b) => MsgSend.decode(b),
      validate: (m) => validateMsgSend(m, blocked),
      signers: (m) => [m.fromAddress],
      access: msgSendAccess,
      handle: (ctx, m) => {
        keeper.send(ctx, m.fromAddress, m.toAddress, parseCoins(m.amount));
        return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: MsgSendResponse.encode({}).finish() };
      },
    }),
  ];
}
