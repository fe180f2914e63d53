// Partitions each bank Msg writes, from its fields alone (parallel executor).
import { accountPartition } from '@lanes/app';
import type { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';

export function msgSendAccess(msg: MsgSend): string[] {
  return [accountPartition(msg.fromAddress), accountPartition(msg.toAddress)];
}
