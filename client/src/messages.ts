// The CosmJS registry of every Lanes Msg (CosmJS `modules/*/messages.ts` shape): one type URL
// per Msg with its protobuf codec, plus an EncodeObject type with a literal typeUrl per Msg.
import { Registry, type GeneratedType } from '@cosmjs/proto-signing';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { ammTypes } from './amm.ts';
export type { MsgSendEncodeObject } from '@cosmjs/stargate';
export { isMsgSendEncodeObject } from '@cosmjs/stargate';

export const bankTypes: ReadonlyArray<[string, GeneratedType]> = [['/cosmos.bank.v1beta1.MsgSend', MsgSend]];

/**
 * Every Msg type URL the Lanes chain accepts, with its codec. Modules append theirs here
 * (`...ammTypes`, `...lendingTypes`); nothing that the chain rejects belongs in this list.
 */
export const lanesRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [...bankTypes, ...ammTypes];

/** A Registry holding exactly `lanesRegistryTypes`, for SigningStargateClient and tx decoding. */
export function createLanesRegistry(): Registry {
  return new Registry(lanesRegistryTypes);
}
