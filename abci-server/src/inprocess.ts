// An in-process chain driver: calls the ABCI methods in CometBFT's order without CometBFT.
// For unit tests, property tests and the exec benchmark only; integration tests use the real
// cometbft binary.
import type { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { CheckTxType } from 'cosmjs-types/tendermint/abci/types';
import { QueryBalanceRequest, QueryBalanceResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { QueryAccountRequest, QueryAccountResponse } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import type { RequestFinalizeBlock, ResponseCheckTx } from 'cosmjs-types/tendermint/abci/types';
import type { AppGenesisState, FinalizeBlockResponse, LanesApp } from '@lanes/app';
import { createLanesApp, type CreateLanesAppOptions } from './lanesApp.ts';

export const TEST_CHAIN_ID = 'lanes-test-1';

export class InProcessChain {
  readonly app: LanesApp;
  height = 0n;
  time = 1_700_000_000n;
  lastResults: ExecTxResult[] = [];
  lastAppHash: Uint8Array = new Uint8Array();

  constructor(
    genesis: AppGenesisState, dbPath = ':memory:', readonly chainId = TEST_CHAIN_ID,
    opts: Omit<CreateLanesAppOptions, 'dbPath'> & { createApp?: (dbPath: string) => LanesApp } = {},
  ) {
    const { createApp, ...appOpts } = opts;
    this.app = createApp ? createApp(dbPath) : createLanesApp({ ...appOpts, dbPath });
    if (this.app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' }).lastBlockHeight === 0n) {
      const r = this.app.initChain({
        time: { seconds: this.time, nanos: 0 }, chainId, validators: [], initialHeight: 1n,
        appStateBytes: Buffer.from(JSON.stringify(genesis)),
      });
      this.lastAppHash = r.appHash;
    } else {
      const info = this.app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' });
      this.height = info.lastBlockHeight;
      this.lastAppHash = info.lastBlockAppHash;
    }
  }

  /** CheckTx on a sequential-executor app (answers synchronously). */
  checkTx(tx: Uint8Array, recheck = false): ResponseCheckTx {
    const r = this.app.checkTx({ tx, type: recheck ? CheckTxType.RECHECK : CheckTxType.NEW });
    if (r instanceof Promise) throw new Error('this chain runs execution workers: use checkTxAsync');
    return r;
  }

  async checkTxAsync(tx: Uint8Array, recheck = false): Promise<ResponseCheckTx> {
    return this.app.checkTx({ tx, type: recheck ? CheckTxType.RECHECK : CheckTxType.NEW });
  }

  /** The next height's FinalizeBlock request (advances height and time). */
  nextRequest(txs: Uint8Array[]): RequestFinalizeBlock {
    this.height += 1n;
    this.time += 1n;
    return {
      txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32),
      height: this.height, time: { seconds: this.time, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20),
    };
  }

  private afterFinalize(r: FinalizeBlockResponse): ExecTxResult[] {
    this.app.commit();
    this.lastResults = r.txResults;
    this.lastAppHash = r.appHash;
    return r.txResults;
  }

  /** FinalizeBlock + Commit with the sequential executor; returns the tx results. */
  block(txs: Uint8Array[]): ExecTxResult[] {
    const r = this.app.finalizeBlock(this.nextRequest(txs));
    if (r instanceof Promise) throw new Error('this chain runs the parallel executor: use blockAsync');
    return this.afterFinalize(r);
  }

  /** FinalizeBlock + Commit with whichever executor the app runs. */
  async blockAsync(txs: Uint8Array[]): Promise<ExecTxResult[]> {
    return this.afterFinalize(await this.app.finalizeBlock(this.nextRequest(txs)));
  }

  query(path: string, data: Uint8Array) {
    return this.app.query({ path, data, height: 0n, prove: false });
  }

  balance(address: string, denom: string): bigint {
    const r = this.query('/cosmos.bank.v1beta1.Query/Balance', QueryBalanceRequest.encode({ address, denom }).finish());
    if (r.code !== 0) throw new Error(`balance query failed: ${r.log}`);
    return BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? '0');
  }

  account(address: string): BaseAccount | null {
    const r = this.query('/cosmos.auth.v1beta1.Query/Account', QueryAccountRequest.encode({ address }).finish());
    if (r.code !== 0) return null;
    const any = QueryAccountResponse.decode(r.value).account;
    return any ? BaseAccount.decode(any.value) : null;
  }
}
