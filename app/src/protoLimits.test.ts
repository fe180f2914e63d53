// Whether a tx decodes is decided by counting its nesting, never by the stack of the thread that
// decodes it: the same deep txs fail alike on the main thread and on a worker thread (whose stack
// is larger), and nesting within the limits still decodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { MAX_GROUP_DEPTH, MAX_MODE_INFO_DEPTH } from './protoLimits.ts';
import { buildTx, nestedGroups, nestedModeInfoSigner, testKey } from './testing.ts';

const key = testKey('proto-limits');
const msg = { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: key.address, toAddress: key.address, amount: [{ denom: 'uatom', amount: '1' }] }).finish() };
const tx = (extra: { bodyExtra?: Uint8Array; authInfoExtra?: Uint8Array }) => buildTx(key, [msg], { chainId: 'c', accountNumber: 0n, sequence: 0n, ...extra });

const TXS: Record<string, Uint8Array> = {
  groupsAtLimit: tx({ bodyExtra: nestedGroups(15, MAX_GROUP_DEPTH) }),
  groupsPastLimit: tx({ bodyExtra: nestedGroups(15, MAX_GROUP_DEPTH + 1) }),
  groupsDeep: tx({ bodyExtra: nestedGroups(15, 20_000) }),
  modeInfoAtLimit: tx({ authInfoExtra: nestedModeInfoSigner(MAX_MODE_INFO_DEPTH - 1) }),
  modeInfoPastLimit: tx({ authInfoExtra: nestedModeInfoSigner(MAX_MODE_INFO_DEPTH) }),
  modeInfoDeep: tx({ authInfoExtra: nestedModeInfoSigner(15_000) }),
};

/** 'ok' or the decoder's error, for the body and the auth info of each tx. */
function outcomes(txs: Record<string, Uint8Array>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(txs)) {
    const raw = TxRaw.decode(bytes);
    try {
      TxBody.decode(raw.bodyBytes);
      AuthInfo.decode(raw.authInfoBytes);
      out[name] = 'ok';
    } catch (e) {
      out[name] = (e as Error).message;
    }
  }
  return out;
}

/** outcomes() on a fresh worker thread, which loads the limits the way execution workers do. */
async function outcomesOnWorker(txs: Record<string, Uint8Array>): Promise<Record<string, string>> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      (await import(workerData.tsx)).register();
      await import(workerData.limits);
      const { AuthInfo, TxBody, TxRaw } = await import(workerData.cosmjsTx);
      const out = {};
      for (const [name, bytes] of Object.entries(workerData.txs)) {
        const raw = TxRaw.decode(bytes);
        try { TxBody.decode(raw.bodyBytes); AuthInfo.decode(raw.authInfoBytes); out[name] = 'ok'; } catch (e) { out[name] = e.message; }
      }
      parentPort.postMessage(out);
    })().catch((e) => { throw e; });`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { txs, tsx: import.meta.resolve('tsx/esm/api'), limits: import.meta.resolve('./protoLimits.ts'), cosmjsTx: import.meta.resolve('cosmjs-types/cosmos/tx/v1beta1/tx') },
  });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

test('nesting decides whether a tx decodes, counted: groups up to 100 deep and ModeInfo up to 16, on the main thread and a worker alike', async () => {
  const here = outcomes(TXS);
  assert.deepEqual(here, {
    groupsAtLimit: 'ok',
    groupsPastLimit: here.groupsPastLimit,
    groupsDeep: here.groupsDeep,
    modeInfoAtLimit: 'ok',
    modeInfoPastLimit: `ModeInfo nested deeper than ${MAX_MODE_INFO_DEPTH}`,
    modeInfoDeep: `ModeInfo nested deeper than ${MAX_MODE_INFO_DEPTH}`,
  });
  assert.match(here.groupsPastLimit ?? '', new RegExp(`^protobuf groups nested deeper than ${MAX_GROUP_DEPTH} \\(offset \\d+\\)$`));
  assert.match(here.groupsDeep ?? '', new RegExp(`^protobuf groups nested deeper than ${MAX_GROUP_DEPTH} \\(offset \\d+\\)$`));
  assert.deepEqual(await outcomesOnWorker(TXS), here);
});

test('a group left open, or an end-group tag alone, fails to decode', () => {
  const open = TxRaw.decode(tx({ bodyExtra: Uint8Array.of(0x7b, 0x7b, 0x7c) })).bodyBytes;
  assert.throws(() => TxBody.decode(open), /protobuf group not closed before the end of the message/);
  const lone = TxRaw.decode(tx({ bodyExtra: Uint8Array.of(0x7c) })).bodyBytes;
  assert.throws(() => TxBody.decode(lone), /invalid wire type 4/);
});
