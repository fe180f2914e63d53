// @lanes/client: what integrators import. CosmJS-shaped: a registry of every Lanes Msg, query
// extensions, and connect helpers that configure SigningStargateClient for Lanes.
export * from './constants.ts';
export * from './address.ts';
export * from './amounts.ts';
export * from './messages.ts';
export * from './connect.ts';
export * from './queries.ts';
export * from './devnet.ts';
export * from './amm.ts';
