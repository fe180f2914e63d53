// Test-only wiring: every real module plus
//   - `/lanes.test.v1.MsgLie`, a Msg that declares only its sender's partition but also credits
//     another account. The parallel executor must catch it (partition enforcement) and fall back
//     to sequential execution with identical results;
//   - `/lanes.test.v1.MsgLieCaught`, the same lie inside a try/catch, as a module might wrap
//     its calls: amount 1 fails with an error of its own, any other amount goes on as if the
//     send had worked. Enforcement must still see the violation and fall back;
//   - `/lanes.test.v1.MsgFailOnWorker`, a MsgSend that, run on an execution worker, hangs it
//     (amount 1) or ends the worker thread (any other amount; as a crash or running out of memory
//     would); with amount 3 it already hangs a worker that decodes it (a CheckTx batch); with 4 it
//     throws a RangeError as a thread out of stack would, on a worker only; with 5, everywhere;
//     with 6 it throws a TypeError, as a bug would, everywhere; with 7 a worker takes
//     SLOW_ON_WORKER_MS over it and then sends (slow, not broken); from 1,000 on it recurses that
//     many calls deep (recurse), on every thread.
//     Otherwise, on the main thread it is a send. The block must re-run sequentially, with identical results. (A
//     Msg that throws is no worker failure: the tx fails, the same on every thread.);
//   - `/lanes.test.v1.MsgWriteConst`, a MsgSend that also writes a per-block constant, as a
//     buggy module might: the tx must fail (sdk/111222) on every executor, and the chain go on;
//   - an observer with block hooks, which no real module has yet: begin-block writes balances
//     that txs then overwrite (the txs' values must win), end-block reads and iterates balances
//     txs wrote (on workers too), reports them in an event and writes over them, and pays an
//     address nothing else pays (ENDBLOCK_PAID), which must get an account like any other.
// Never wired into a node.
import { isMainThread } from 'node:worker_threads';
import { MsgSend, MsgSendResponse } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { CONST_PARTITION, ErrInvalidRequest, Item, StringValue, accountPartition, defineMsg, modulePrefix, parseCoins, testKey, type Module, type ModuleSet } from '@lanes/app';
import { MSG_SEND_SHAPE, type BankKeeper } from '@lanes/bank';
import { createModules as createRealModules } from '../lanesApp.ts';

/** How long a worker takes over a MsgFailOnWorker of amount 7: longer than a block's 2 s of blocking waits for its reply. */
export const SLOW_ON_WORKER_MS = 3_500;
export const MSG_LIE_TYPE_URL = '/lanes.test.v1.MsgLie';
export const MSG_LIE_CAUGHT_TYPE_URL = '/lanes.test.v1.MsgLieCaught';
export const MSG_FAIL_ON_WORKER_TYPE_URL = '/lanes.test.v1.MsgFailOnWorker';
export const MSG_WRITE_CONST_TYPE_URL = '/lanes.test.v1.MsgWriteConst';

const ConstFlag = new Item(modulePrefix(0x7e, 'constwriter'), 0x01, 'flag', StringValue, CONST_PARTITION);

/** Accounts the observer touches: the equivalence test's first funded keys (`eq-<i>`). */
export const OBSERVED = [0, 1, 2, 3].map((i) => testKey(`eq-${i}`).address);
/** An address only the observer's end-block pays (1uatom a block). */
export const ENDBLOCK_PAID = testKey('observer-endblock-paid').address;

/** Plain recursion, `n` calls deep: a Msg that runs out of stack for real (see MsgFailOnWorker). */
export function recurse(n: number): number {
  return n <= 0 ? 0 : 1 + recurse(n - 1);
}

export function createModules(): ModuleSet {
  const real = createRealModules();
  const bank = real.feeBank as BankKeeper;
  const liar: Module = {
    name: 'liar',
    msgs: [defineMsg<MsgSend>({
      typeUrl: MSG_LIE_TYPE_URL,
      module: 'liar',
      shape: MSG_SEND_SHAPE,
      decode: (b) => MsgSend.decode(b),
      validate: (m) => void parseCoins(m.amount),
      signers: (m) => [m.fromAddress],
      access: (m) => [accountPartition(m.fromAddress)], // the lie: toAddress is written too
      handle: (ctx, m) => {
        bank.send(ctx, m.fromAddress, m.toAddress, parseCoins(m.amount));
        return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: MsgSendResponse.encode({}).finish() };
      },
    }), defineMsg<MsgSend>({
      typeUrl: MSG_LIE_CAUGHT_TYPE_URL,
      module: 'liar',
      shape: MSG_SEND_SHAPE,
      decode: (b) => MsgSend.decode(b),
      validate: (m) => void parseCoins(m.amount),
      signers: (m) => [m.fromAddress],
      access: (m) => [accountPartition(m.fromAddress)], // the same lie
      handle: (ctx, m) => {
        const coins = parseCoins(m.amount);
        try {
          bank.send(ctx, m.fromAddress, m.toAddress, coins);
        } catch (err) {
          if (coins[0]?.amount === 1n) throw ErrInvalidRequest.wrap(`the send failed: ${err instanceof Error ? err.message : String(err)}`);
          // Any other amount: goes on as if it had worked.
        }
        return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: MsgSendResponse.encode({}).finish() };
      },
    })],
    queries: [],
    validateGenesis: () => undefined,
    initGenesis: () => undefined,
    exportGenesis: () => ({}),
  };
  const failing: Module = {
    name: 'failonworker',
    msgs: [defineMsg<MsgSend>({
      typeUrl: MSG_FAIL_ON_WORKER_TYPE_URL,
      module: 'failonworker',
      shape: MSG_SEND_SHAPE,
      decode: (b) => MsgSend.decode(b),
      validate: (m) => {
        const coins = parseCoins(m.amount);
        if (!isMainThread && coins[0]?.amount === 3n) for (;;); // hangs this worker thread
      },
      signers: (m) => [m.fromAddress],
      access: (m) => [accountPartition(m.fromAddress), accountPartition(m.toAddress)],
      handle: (ctx, m) => {
        const coins = parseCoins(m.amount);
        const amount = coins[0]?.amount;
        if (amount === 5n || (amount === 4n && !isMainThread)) throw new RangeError('Maximum call stack size exceeded');
        if (amount === 6n) throw new TypeError('Cannot read properties of undefined (reading \'amount\')');
        if (amount !== undefined && amount >= 1000n) {
          recurse(Number(amount));
          bank.send(ctx, m.fromAddress, m.toAddress, coins);
          return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: MsgSendResponse.encode({}).finish() };
        }
        if (!isMainThread && amount === 7n) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SLOW_ON_WORKER_MS);
        if (!isMainThread && amount !== 7n) {
          if (coins[0]?.amount === 1n) for (;;); // hangs this worker thread
          process.exit(7); // ends this worker thread only
        }
        bank.send(ctx, m.fromAddress, m.toAddress, coins);
        return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: MsgSendResponse.encode({}).finish() };
      },
    })],
    queries: [],
    validateGenesis: () => undefined,
    initGenesis: () => undefined,
    exportGenesis: () => ({}),
  };
  const constWriter: Module = {
    name: 'constwriter',
    msgs: [defineMsg<MsgSend>({
      typeUrl: MSG_WRITE_CONST_TYPE_URL,
      module: 'constwriter',
      shape: MSG_SEND_SHAPE,
      decode: (b) => MsgSend.decode(b),
      validate: (m) => void parseCoins(m.amount),
      signers: (m) => [m.fromAddress],
      access: (m) => [accountPartition(m.fromAddress), accountPartition(m.toAddress)],
      handle: (ctx, m) => {
        bank.send(ctx, m.fromAddress, m.toAddress, parseCoins(m.amount));
        ConstFlag.set(ctx, m.toAddress);
        return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: MsgSendResponse.encode({}).finish() };
      },
    })],
    queries: [],
    validateGenesis: () => undefined,
    initGenesis: () => undefined,
    exportGenesis: () => ({}),
  };
  const observer: Module = {
    name: 'observer',
    msgs: [],
    queries: [],
    beginBlock: (ctx) => {
      for (const addr of OBSERVED.slice(0, 2)) bank.mint(ctx, addr, [{ denom: 'uatom', amount: 1n }]);
    },
    endBlock: (ctx) => {
      const seen = OBSERVED.map((addr) => `${addr}=${bank.allBalances(ctx, addr).map((c) => `${c.amount}${c.denom}`).join(',')}`);
      ctx.emit('observer', { balances: seen.join(';') });
      bank.mint(ctx, OBSERVED[2] as string, [{ denom: 'uatom', amount: 2n }]);
      bank.mint(ctx, ENDBLOCK_PAID, [{ denom: 'uatom', amount: 1n }]);
    },
    validateGenesis: () => undefined,
    initGenesis: () => undefined,
    exportGenesis: () => ({}),
  };
  return { modules: [...real.modules, liar, failing, constWriter, observer], feeBank: real.feeBank };
}
