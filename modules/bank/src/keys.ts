// Every store prefix of the bank module, in one place. Module byte 0x10.
import { BigIntValue, CMap, PairKey, WholeStringKey, accountPartition, modulePrefix, strPart } from '@lanes/app';

const schema = modulePrefix(0x10, 'bank');

/** (address, denom) -> amount; zero balances are deleted. Owned by the holder's account partition. */
export const Balances = new CMap(schema, 0x01, 'balances', PairKey, BigIntValue, ([addr]) => accountPartition(addr), {
  encode: (addr: string) => strPart(addr), // an address's balances, by denom
  partition: accountPartition,
});

/**
 * denom -> total supply. Changed only by mint and burn; each denom is its own partition so
 * minting LP shares of one pool never conflicts with another (modules declare `supply:<denom>`).
 * Keyed by the denom alone, so the store holds supplies in denom order, as TotalSupply pages them.
 */
export const supplyPartition = (denom: string): string => `supply:${denom}`;
export const Supply = new CMap(schema, 0x02, 'supply', WholeStringKey, BigIntValue, supplyPartition);
