// `lanes tx ...`: build, sign (SIGN_MODE_DIRECT via CosmJS) and broadcast transactions, then
// wait for inclusion and report the result. Exit code 1 when the tx fails at any stage.
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromHex } from '@cosmjs/encoding';
import { BroadcastTxError, calculateFee, GasPrice, SigningStargateClient, TimeoutError, type Coin, type DeliverTxResponse, type StdFee } from '@cosmjs/stargate';
import type { EncodeObject } from '@cosmjs/proto-signing';
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import {
  lanesClientOptions,
  DEFAULT_GAS_ADJUSTMENT,
  DEFAULT_BROADCAST_POLL_INTERVAL_MS,
  DEFAULT_BROADCAST_TIMEOUT_MS,
  DEFAULT_GAS_LIMIT,
  DEVNET_CHAIN_ID,
  DEVNET_GAS_PRICE,
  TESTNET_CHAIN_ID,
  formatCoin,
  formatCoins,
  parseHumanCoins,
  type MsgSendEncodeObject,
} from '@lanes/client';
import type { Command } from 'commander';
import { shareDenomPoolId } from '@lanes/amm';
import { CliError, cliAction, explainNodeError, outputOption, printJson, resolveAddress, resolveHome, resolveKey, showAddress, type ResolvedAddress } from './keys.ts';
import { keepingCodespace, nodeOption, refusedQuery, withQuery } from './query.ts';

/** The options every `lanes tx` command takes (addTxOptions). */
export interface TxOptions {
  fees?: string;
  gas?: string;
  gasAdjustment: string;
  gasPrices: string;
  memo?: string;
  node: string;
  chainId?: string;
  yes?: boolean;
  output: string;
}

/** How the gas limit is chosen: simulate and scale, or a fixed number. */
type GasSetting = { readonly auto: true; readonly adjustment: number } | { readonly auto: false; readonly limit: number };

function parseGas(opts: TxOptions): GasSetting {
  const adjustment = Number(opts.gasAdjustment);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(opts.gasAdjustment) || !(adjustment >= 1) || adjustment > 10) {
    throw new CliError(`invalid --gas-adjustment "${opts.gasAdjustment}": expected a number in [1, 10]`);
  }
  // Without --gas: simulate, unless --fees was given (then the SDK's default limit, as `gaiad` does).
  const gas = opts.gas ?? (opts.fees === undefined ? 'auto' : String(DEFAULT_GAS_LIMIT));
  if (gas === 'auto') return { auto: true, adjustment };
  const limit = Number(gas);
  if (!/^[0-9]+$/.test(gas) || !Number.isSafeInteger(limit) || limit <= 0) throw new CliError(`invalid --gas "${gas}": expected "auto" or a positive integer`);
  return { auto: false, limit };
}

function parseGasPrice(value: string): GasPrice {
  try {
    return GasPrice.fromString(value);
  } catch (e) {
    throw new CliError(`invalid --gas-prices "${value}": ${(e as Error).message}`);
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** (codespace, code, log) of an included tx; DeliverTxResponse has no codespace. */
async function txResult(node: string, hash: string): Promise<{ codespace: string; code: number; log: string } | undefined> {
  try {
    const comet = await Comet38Client.connect(node);
    try {
      const r = await comet.tx({ hash: fromHex(hash) });
      return { codespace: r.result.codespace ?? '', code: r.result.code, log: r.result.log ?? '' };
    } finally {
      comet.disconnect();
    }
  } catch {
    return undefined;
  }
}

/**
 * Signs, broadcasts (CheckTx) and waits for the tx's block, as CosmJS's signAndBroadcast does, but
 * without its wait timer, which it starts before broadcasting and leaves running when CheckTx
 * refuses the tx: the CLI then sat 30 s (DEFAULT_BROADCAST_TIMEOUT_MS) after printing the refusal
 * before it could exit. Throws BroadcastTxError (refused) or TimeoutError (not included in time).
 */
async function signBroadcastAndWait(client: SigningStargateClient, signer: string, msgs: readonly EncodeObject[], fee: StdFee, memo: string): Promise<DeliverTxResponse> {
  const hash = await client.signAndBroadcastSync(signer, msgs, fee, memo);
  const deadline = Date.now() + DEFAULT_BROADCAST_TIMEOUT_MS;
  for (;;) {
    await sleep(DEFAULT_BROADCAST_POLL_INTERVAL_MS);
    const r = await client.getTx(hash);
    if (r) {
      return {
        code: r.code, height: r.height, txIndex: r.txIndex, events: r.events, rawLog: r.rawLog, transactionHash: hash,
        msgResponses: r.msgResponses, gasUsed: r.gasUsed, gasWanted: r.gasWanted,
      };
    }
    if (Date.now() >= deadline) throw new TimeoutError(`tx ${hash} was not found on chain after ${DEFAULT_BROADCAST_TIMEOUT_MS / 1000} s`, hash);
  }
}

/** Extra output fields of a successful tx, e.g. decoded from its `msgResponses`: JSON prints coins as is, text as `1.5lane (1500000ulane)`. */
export type DescribeResult = (res: DeliverTxResponse) => Record<string, string | Coin | readonly Coin[]>;

/** `1.5lane (1500000ulane)`, or just `7amm/pool/1` for a denom without a display form. */
export function showCoin(c: Coin): string {
  const human = formatCoin(c);
  const base = `${c.amount}${c.denom}`;
  return human === base ? base : `${human} (${base})`;
}

function showValue(v: string | Coin | readonly Coin[]): string {
  if (typeof v === 'string') return v;
  if ('denom' in v) return showCoin(v);
  return v.map(showCoin).join(', ') || 'nothing';
}

/** What signAndSend knows of a tx beyond its Msgs. */
export interface SendDetails {
  /** Extra output fields when it succeeded. */
  readonly describe?: DescribeResult;
  /** The coins its Msgs spend from the sender (not the fee), for the insufficient-funds hint. */
  readonly spends?: readonly Coin[];
  /** Called with the node's chain id before anything is simulated or signed; throws to refuse. */
  readonly checkChain?: (chainId: string) => void;
}

/** The most denoms the insufficient-funds hint lists. */
const HINT_DENOMS = 20;

/** Pool share denoms are `amm/pool/<id>`; '0' follows '/', so `amm/pool0` is the first key past them all. */
const PAST_SHARE_DENOMS = Buffer.from('amm/pool0');

/**
 * The denoms read (sorted), for the hint: the first HINT_DENOMS that are not pool shares, "and
 * more" when there are more than that, then the pool shares as one item.
 */
export function denomList(denoms: readonly string[]): string {
  const base = denoms.filter((d) => shareDenomPoolId(d) === undefined);
  const shares = denoms.length > base.length;
  return `${base.slice(0, HINT_DENOMS).join(', ') || 'none'}${base.length > HINT_DENOMS ? ' and more' : ''}${shares ? ', and pool shares (amm/pool/<id>)' : ''}`;
}

/** A page of the bank's TotalSupply query, as CosmJS's bank extension answers it. */
export type SupplyPage = (key?: Uint8Array) => Promise<{ supply: readonly { denom: string }[]; pagination?: { nextKey: Uint8Array } | undefined }>;

/**
 * The chain's denoms for the hint (denomList), from at most two pages of its total supply. A chain
 * has a share denom per pool, maybe thousands, and they sort before the `u…` denoms: the first
 * page, and if there are more, the page from just past the share denoms.
 */
export async function chainDenoms(page: SupplyPage): Promise<string> {
  const first = await page();
  const firstNext = first.pagination?.nextKey ?? new Uint8Array();
  const pages = [first];
  if (firstNext.length > 0) pages.push(await page(PAST_SHARE_DENOMS));
  // Denoms left unread (before the share denoms, past the first page; or past the second page)
  // come after a full page of other denoms, so denomList says "and more" for them itself.
  return denomList([...new Set(pages.flatMap((p) => p.supply.map((c) => c.denom)))].sort());
}

/**
 * For a tx refused or failed with insufficient funds (sdk/5), which the chain says alike for a
 * denom it has never heard of (`5xdenom`): the denoms of `spends` that `sender` holds none of, and
 * the denoms of this chain (its bank supply). Undefined when the sender holds some of each, or
 * when the node does not answer: it is a hint beside the chain's own log, which is printed anyway.
 */
export async function noFundsHint(node: string, sender: string, spends: readonly Coin[]): Promise<string | undefined> {
  const spent = [...new Set(spends.map((c) => c.denom))];
  try {
    return await withQuery(node, async (q) => {
      const none: string[] = [];
      for (const d of spent) if ((await q.bank.balance(sender, d)).amount === '0') none.push(d);
      if (none.length === 0) return undefined;
      return `the sender holds no ${none.join(' and no ')}; denoms on this chain: ${await chainDenoms((key) => q.bank.totalSupply(key))}`;
    });
  } catch {
    return undefined;
  }
}

/**
 * Signs with `from`'s key, broadcasts, waits for inclusion and prints the outcome (plus
 * `details.describe`'s fields when it succeeded; a `hint` line when it was refused or failed for
 * insufficient funds in a denom of `details.spends` the sender holds none of). `msgsFor` runs
 * before anything is sent, so it may throw CliError for bad input. Sets process.exitCode = 1 when
 * the tx is rejected or fails.
 */
export async function signAndSend(
  cmd: Command,
  from: string,
  msgsFor: (signer: string) => EncodeObject[],
  summary: string,
  opts: TxOptions,
  details: SendDetails = {},
): Promise<void> {
  const gas = parseGas(opts);
  const gasPrice = parseGasPrice(opts.gasPrices);
  const fees = opts.fees === undefined ? undefined : parseHumanCoins(opts.fees, { allowZero: true });
  const home = resolveHome(cmd);
  const { entry, wallet } = await resolveKey(home, from);
  const msgs = msgsFor(entry.address);
  const memo = opts.memo ?? '';
  const hintFor = async (r: { codespace: string; code: number }): Promise<{ hint?: string }> => {
    const hint = r.codespace === 'sdk' && r.code === 5 ? await noFundsHint(opts.node, entry.address, details.spends ?? []) : undefined;
    return hint === undefined ? {} : { hint };
  };
  const hintLine = (h: { hint?: string }): string => (h.hint === undefined ? '' : `hint: ${h.hint}\n`);

  let client;
  try {
    // A refused simulation keeps its codespace (CosmJS's error drops it): see keepingCodespace.
    client = await SigningStargateClient.createWithSigner(keepingCodespace(await Comet38Client.connect(opts.node)), wallet, lanesClientOptions({ gasPrice }));
  } catch (e) {
    throw explainNodeError(e, opts.node);
  }
  try {
    const chainId = await client.getChainId();
    if (opts.chainId !== undefined && opts.chainId !== chainId) {
      throw new CliError(`--chain-id "${opts.chainId}" does not match the node at ${opts.node}, which is on "${chainId}"`);
    }
    details.checkChain?.(chainId);
    let gasLimit: number;
    if (gas.auto) {
      let simulated: number;
      try {
        simulated = await client.simulate(entry.address, msgs, memo);
      } catch (e) {
        const refused = refusedQuery(e);
        if (refused) {
          // As a CheckTx rejection: nothing was signed or sent.
          const out = { stage: 'simulate', ...refused, ...(await hintFor(refused)) };
          // Setting the gas by hand helps only a tx that ran out of the simulation's gas: CheckTx
          // runs the Msgs too, and refuses the rest just the same.
          const outOfGas = out.codespace === 'sdk' && out.code === 11;
          if (opts.output === 'json') printJson(out);
          else process.stdout.write(`rejected in simulation (nothing sent${outOfGas ? '; --gas N sends it without simulating' : ''})\ncodespace: ${out.codespace}\ncode: ${out.code}\nlog: ${out.log}\n${hintLine(out)}`);
          process.exitCode = 1;
          return;
        }
        const message = (e as Error).message;
        // CosmJS looks the account up first: no gas setting helps an account the chain has never funded.
        if (/does not exist on chain/.test(message)) throw new CliError(`${entry.name} (${entry.address}) has no account on chain yet: send it some ulane first`);
        throw new CliError(`simulation failed (use --gas N to skip it): ${message}`);
      }
      gasLimit = Math.ceil(simulated * gas.adjustment);
    } else {
      gasLimit = gas.limit;
    }
    const fee: StdFee = fees ? { amount: fees, gas: String(gasLimit) } : calculateFee(gasLimit, gasPrice);

    process.stderr.write(
      `${summary}\n  from: ${entry.name} (${entry.address})\n  fee: ${formatCoins(fee.amount) || '0'} (${fee.amount.map((c) => `${c.amount}${c.denom}`).join(',') || '0'}), gas limit ${fee.gas}\n` +
        `${memo ? `  memo: ${JSON.stringify(memo)}\n` : ''}  chain: ${chainId} via ${opts.node}\n`,
    );
    if (!opts.yes) {
      // Nobody to ask: a script must say -y, rather than sign whatever it was given unasked.
      if (!process.stdin.isTTY) throw new CliError('not confirmed: stdin is not a terminal, so pass -y (--yes) to sign and broadcast without asking');
      if (!(await confirm('confirm transaction before signing and broadcasting [y/N]: '))) throw new CliError('canceled');
    }

    let res: DeliverTxResponse;
    try {
      res = await signBroadcastAndWait(client, entry.address, msgs, fee, memo);
    } catch (e) {
      if (e instanceof BroadcastTxError) {
        // Rejected by CheckTx: never entered the mempool.
        const out = { stage: 'check_tx', codespace: e.codespace, code: e.code, log: e.log ?? '', ...(await hintFor(e)) };
        if (opts.output === 'json') printJson(out);
        else process.stdout.write(`rejected by CheckTx\ncodespace: ${out.codespace}\ncode: ${out.code}\nlog: ${out.log}\n${hintLine(out)}`);
        process.exitCode = 1;
        return;
      }
      if (e instanceof TimeoutError) {
        throw new CliError(`tx ${e.txId} was broadcast but not included in time; check with \`lanes query tx ${e.txId}\``);
      }
      throw e;
    }

    const failed = res.code !== 0;
    const detail = failed ? await txResult(opts.node, res.transactionHash) : undefined;
    const hint = failed ? await hintFor({ codespace: detail?.codespace ?? '', code: res.code }) : {};
    const out = {
      txhash: res.transactionHash,
      height: res.height,
      code: res.code,
      ...(failed ? { codespace: detail?.codespace ?? '', log: detail?.log ?? res.rawLog ?? '', ...hint } : {}),
      gas_wanted: res.gasWanted.toString(),
      gas_used: res.gasUsed.toString(),
    };
    const extra = !failed && details.describe ? details.describe(res) : {};
    if (opts.output === 'json') printJson({ ...out, ...extra });
    else {
      process.stdout.write(`txhash: ${out.txhash}\nheight: ${out.height}\ncode: ${out.code}\ngas: ${out.gas_used} used / ${out.gas_wanted} wanted\n`);
      if (failed) process.stdout.write(`codespace: ${out.codespace ?? ''}\nlog: ${out.log ?? ''}\n${hintLine(hint)}`);
      for (const [k, v] of Object.entries(extra)) process.stdout.write(`${k}: ${showValue(v)}\n`);
    }
    if (failed) process.exitCode = 1;
  } catch (e) {
    throw explainNodeError(e, opts.node);
  } finally {
    client.disconnect();
  }
}

export function addTxOptions(cmd: Command): Command {
  return cmd
    .option('--fees <coins>', 'fee to pay, e.g. 500ulane (default: gas limit x --gas-prices)')
    .option('--gas <auto|N>', `gas limit, or "auto" to simulate (default: auto; ${DEFAULT_GAS_LIMIT} when --fees is given)`)
    .option('--gas-adjustment <x>', 'multiplier on simulated gas with --gas auto', String(DEFAULT_GAS_ADJUSTMENT))
    .option('--gas-prices <price>', 'gas price used to compute the fee', DEVNET_GAS_PRICE)
    .option('--memo <text>', 'memo to include in the tx')
    .addOption(nodeOption())
    .option('--chain-id <id>', 'refuse to sign unless the node is on this chain')
    .option('-y, --yes', 'skip the confirmation prompt')
    .addOption(outputOption());
}

/** Chains whose genesis funds the public test accounts: the devnet and `lanes testnet`'s default. */
const TEST_ACCOUNT_CHAINS: readonly string[] = [DEVNET_CHAIN_ID, TESTNET_CHAIN_ID];

/**
 * Refuses a recipient found as a built-in devnet name (test0..test9) on any chain but the devnet
 * and the local testnet: anyone holds those keys, so funds sent there on a real chain are anyone's.
 */
export function checkRecipientChain(recipient: ResolvedAddress, chainId: string): void {
  if (recipient.builtIn && !TEST_ACCOUNT_CHAINS.includes(chainId)) {
    throw new CliError(`recipient ${recipient.name ?? recipient.address} is a built-in devnet key, whose mnemonic is public, and chain ${chainId} `
      + 'is neither the devnet nor the local testnet: give the address itself, or store the key with `lanes keys import-devnet`');
  }
}

export function register(program: Command): void {
  const tx = program.command('tx').description('sign and broadcast transactions');
  const bank = tx.command('bank').description('bank module transactions');

  addTxOptions(
    bank
      .command('send <from> <to> <amount>')
      .description('send coins; <from> is a key name (test0..test9 built in) or its address; <to> an address or the name of a key '
        + 'in the keyring; <amount> like 1.5lane or 1lane,2000000uatom'),
  ).action(
    cliAction(async (from: string, to: string, amount: string, opts: TxOptions, cmd: Command) => {
      const recipient = await resolveAddress(resolveHome(cmd), to, 'recipient');
      const checkChain = (chainId: string): void => checkRecipientChain(recipient, chainId);
      const coins = parseHumanCoins(amount);
      const summary = `send ${formatCoins(coins)} (${coins.map((c) => `${c.amount}${c.denom}`).join(',')}) to ${showAddress(recipient)}`;
      await signAndSend(
        cmd,
        from,
        (signer): MsgSendEncodeObject[] => [
          { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: signer, toAddress: recipient.address, amount: coins } },
        ],
        summary,
        opts,
        { spends: coins, checkChain },
      );
    }),
  );
}
