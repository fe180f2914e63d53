// `lanes query ...`: read balances, accounts and txs from a node (CometBFT RPC + ABCI query).
import { fromHex, toHex } from '@cosmjs/encoding';
import { decodeTxRaw } from '@cosmjs/proto-signing';
import { accountFromAny, type Account } from '@cosmjs/stargate';
import { Comet38Client, type CometClient } from '@cosmjs/tendermint-rpc';
import {
  allBalances,
  baseDenom,
  createLanesRegistry,
  DEVNET_RPC,
  formatCoin,
  lanesQueryClient,
  type LanesQueryConnection,
} from '@lanes/client';
import type { Coin } from '@cosmjs/stargate';
import { Option, type Command } from 'commander';
import { CliError, cliAction, explainNodeError, outputOption, printJson, resolveAddress, resolveHome } from './keys.ts';
import { rpcUrl } from './numbers.ts';

export interface QueryOptions {
  node: string;
  output: string;
}

/** An address argument of a query: a lanes address, or a key name (stored, or test0..test9). */
async function addressArg(cmd: Command, value: string): Promise<string> {
  return (await resolveAddress(resolveHome(cmd), value, 'address')).address;
}

/**
 * A CometClient whose refused abci_query keeps its codespace: CosmJS's QueryClient throws
 * "Query failed with (2): <log>", and 2 is one error in `amm` and another in `sdk`. Here the log
 * starts with `<codespace>/<code>: `, which withQuery makes the error's start.
 */
export function keepingCodespace(comet: CometClient): CometClient {
  return new Proxy(comet, {
    get(target, prop, receiver) {
      if (prop === 'abciQuery') {
        return async (params: Parameters<CometClient['abciQuery']>[0]) => {
          const r = await target.abciQuery(params);
          return r.code ? { ...r, log: `${r.codespace || 'sdk'}/${r.code}: ${r.log ?? ''}` } : r;
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** (codespace, code, log) of a query refused through keepingCodespace, from CosmJS's error; else undefined. */
export function refusedQuery(e: unknown): { codespace: string; code: number; log: string } | undefined {
  const m = e instanceof Error ? /^Query failed with \(\d+\): (\S+)\/(\d+): ([\s\S]*)$/.exec(e.message) : null;
  return m ? { codespace: m[1] as string, code: Number(m[2]), log: m[3] as string } : undefined;
}

/** Runs `fn` with a query client for `node`: connection failures and refused queries as one-line CliErrors. */
export async function withQuery<T>(node: string, fn: (c: LanesQueryConnection) => Promise<T>): Promise<T> {
  let comet: CometClient;
  try {
    comet = await Comet38Client.connect(node);
  } catch (e) {
    throw explainNodeError(e, node);
  }
  const conn: LanesQueryConnection = Object.assign(lanesQueryClient(keepingCodespace(comet)), { disconnect: () => comet.disconnect() });
  try {
    return await fn(conn);
  } catch (e) {
    const refused = refusedQuery(e);
    if (refused) throw new CliError(`query refused: ${refused.codespace}/${refused.code}: ${refused.log}`);
    throw explainNodeError(e, node);
  } finally {
    conn.disconnect();
  }
}

/** Human and base form of a coin: `1.5lane (1500000ulane)`; base only when it has no display form. */
function describeCoin(c: Coin): { denom: string; amount: string; display: string } {
  return { denom: c.denom, amount: c.amount, display: formatCoin(c) };
}

// The Cosmos SDK reports a missing account as gRPC NotFound; CosmJS's getAccount relies on the
// log text "rpc error: code = NotFound". Accept the plainer "not found" too.
function isNotFound(e: unknown): boolean {
  return e instanceof Error && /code = NotFound|not found/i.test(e.message);
}

export const nodeOption = (): Option => new Option('--node <url>', 'CometBFT RPC endpoint (default: the RPC port in --home\'s lanes.json, else the devnet\'s)').env('LANES_NODE').argParser(rpcUrl).default(DEVNET_RPC);

export function register(program: Command): void {
  const query = program.command('query').alias('q').description('query chain state');

  const bank = query.command('bank').description('bank module queries');
  bank
    .command('balances <address>')
    .description('balances of an address (or of a key, by name), in display and base units')
    .option('--denom <denom>', 'only this denom (display like lane, or base like ulane)')
    .addOption(nodeOption())
    .addOption(outputOption())
    .action(
      cliAction(async (addressOrName: string, opts: QueryOptions & { denom?: string }, cmd: Command) => {
        const address = await addressArg(cmd, addressOrName);
        const coins = await withQuery(opts.node, async (q) =>
          opts.denom !== undefined ? [await q.bank.balance(address, baseDenom(opts.denom))] : allBalances(q, address),
        );
        const rows = coins.map(describeCoin);
        if (opts.output === 'json') {
          printJson({ address, balances: rows });
          return;
        }
        if (rows.length === 0) process.stdout.write(`${address} has no balances\n`);
        for (const r of rows) process.stdout.write(r.display === `${r.amount}${r.denom}` ? `${r.display}\n` : `${r.display} (${r.amount}${r.denom})\n`);
      }),
    );

  query
    .command('account <address>')
    .description('account number, sequence and public key of an address (or of a key, by name)')
    .addOption(nodeOption())
    .addOption(outputOption())
    .action(
      cliAction(async (addressOrName: string, opts: QueryOptions, cmd: Command) => {
        const address = await addressArg(cmd, addressOrName);
        const account: Account | null = await withQuery(opts.node, async (q) => {
          try {
            const any = await q.auth.account(address);
            return any ? accountFromAny(any) : null;
          } catch (e) {
            if (isNotFound(e)) return null;
            throw e;
          }
        });
        if (!account) {
          if (opts.output === 'json') printJson({ address, found: false });
          else process.stdout.write(`account ${address} not found (it has never received funds)\n`);
          return;
        }
        const out = {
          address: account.address,
          found: true,
          account_number: account.accountNumber.toString(),
          sequence: account.sequence.toString(),
          pubkey: account.pubkey ? { type: account.pubkey.type, value: account.pubkey.value as unknown } : null,
        };
        if (opts.output === 'json') printJson(out);
        else {
          process.stdout.write(
            `address: ${out.address}\naccount_number: ${out.account_number}\nsequence: ${out.sequence}\npubkey: ${out.pubkey ? `${out.pubkey.type} ${String(out.pubkey.value)}` : 'none (no tx signed yet)'}\n`,
          );
        }
      }),
    );

  query
    .command('tx <hash>')
    .description('a committed tx by hash: height, result, gas, messages')
    .addOption(nodeOption())
    .addOption(outputOption())
    .action(
      cliAction(async (hash: string, opts: QueryOptions, _cmd: Command) => {
        if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new CliError(`invalid tx hash "${hash}": expected 64 hex characters`);
        let res;
        try {
          const comet = await Comet38Client.connect(opts.node);
          try {
            res = await comet.tx({ hash: fromHex(hash) });
          } finally {
            comet.disconnect();
          }
        } catch (e) {
          if (isNotFound(e)) throw new CliError(`tx ${hash.toUpperCase()} not found on ${opts.node}`);
          throw explainNodeError(e, opts.node);
        }
        const registry = createLanesRegistry();
        const decoded = decodeTxRaw(res.tx);
        const messages = decoded.body.messages.map((m) => {
          const known = registry.lookupType(m.typeUrl);
          return { type_url: m.typeUrl, value: known ? (registry.decode(m) as unknown) : { raw: toHex(m.value) } };
        });
        const out = {
          txhash: toHex(res.hash).toUpperCase(),
          height: res.height,
          index: res.index,
          code: res.result.code,
          codespace: res.result.codespace ?? '',
          log: res.result.log ?? '',
          gas_wanted: res.result.gasWanted.toString(),
          gas_used: res.result.gasUsed.toString(),
          memo: decoded.body.memo,
          fee: { amount: decoded.authInfo.fee?.amount ?? [], gas_limit: decoded.authInfo.fee?.gasLimit.toString() ?? '0' },
          messages,
          events: res.result.events.map((ev) => ({
            type: ev.type,
            attributes: ev.attributes.map((a) => ({ key: a.key, value: a.value })),
          })),
        };
        if (opts.output === 'json') {
          printJson(out);
          return;
        }
        const lines = [
          `txhash: ${out.txhash}`,
          `height: ${out.height} (index ${out.index})`,
          `code: ${out.code}${out.code !== 0 ? ` codespace: ${out.codespace}` : ''}`,
          ...(out.code !== 0 || out.log ? [`log: ${out.log}`] : []),
          `gas: ${out.gas_used} used / ${out.gas_wanted} wanted`,
          `fee: ${out.fee.amount.map(formatCoin).join(',') || '0'} (gas limit ${out.fee.gas_limit})`,
          ...(out.memo ? [`memo: ${JSON.stringify(out.memo)}`] : []),
          'messages:',
          ...messages.map((m) => `  - ${m.type_url} ${JSON.stringify(m.value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
