// `lanes tx amm ...` and `lanes query amm ...`: pools, liquidity and swaps of the AMM module
// (lanes.amm.v1). Amounts are human (`10atom`, `250ulane`), routes `<pool>:<denom>,...`.
// Msgs are checked with the module's own stateless validators before anything is signed, so the
// CLI and the chain reject the same input with the same words.
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import type { Coin, DeliverTxResponse } from '@cosmjs/stargate';
import { LanesError, validateDenom } from '@lanes/app';
import {
  shareDenom, validateMsgAddLiquidity, validateMsgCreatePool, validateMsgRemoveLiquidity, validateMsgSwapExactIn,
  validateMsgSwapExactOut,
} from '@lanes/amm';
import {
  baseDenom, denomUnit, parseHumanCoin, parseHumanCoins, PoolType, type MsgAddLiquidityEncodeObject,
  type MsgCreatePoolEncodeObject, type MsgRemoveLiquidityEncodeObject, type MsgSwapExactInEncodeObject,
  type MsgSwapExactOutEncodeObject, type Pool, type SwapAmountInRoute, type SwapAmountOutRoute,
} from '@lanes/client';
import { poolTypeToJSON } from '@lanes/proto/lanes/amm/v1/amm';
import {
  MsgAddLiquidityResponse, MsgCreatePoolResponse, MsgRemoveLiquidityResponse, MsgSwapExactInResponse, MsgSwapExactOutResponse,
} from '@lanes/proto/lanes/amm/v1/tx';
import { Option, type Command } from 'commander';
import { Decimal } from 'decimal.js';
import { CliError, cliAction, explainNodeError, outputOption, printJson } from './keys.ts';
import { addTxOptions, showCoin, signAndSend, type TxOptions } from './tx.ts';
import { nodeOption, withQuery, type QueryOptions } from './query.ts';

const MAX_U64 = (1n << 64n) - 1n;
// Wide enough for any 18-decimal price times a power of ten, never exponent notation.
const D = Decimal.clone({ precision: 120, toExpNeg: -1000, toExpPos: 1000 });

// ---------------------------------------------------------------------------------------------
// Parsing: every error names the argument and the value.

/** A pool id: a whole number in 1..2^64-1. */
export function parsePoolId(value: string, what = 'pool id'): bigint {
  const id = /^[0-9]{1,20}$/.test(value) ? BigInt(value) : -1n;
  if (id < 1n || id > MAX_U64) throw new CliError(`invalid ${what} "${value}": expected a whole number from 1 to 2^64-1`);
  return id;
}

/** `1:uusdc,2:ulane` -> [{ poolId: 1n, denom: 'uusdc' }, ...]; display denoms (`usdc`) become base denoms. */
export function parseRoute(value: string, what = '--route'): { poolId: bigint; denom: string }[] {
  const hops = value.split(',').map((h) => h.trim());
  return hops.map((hop, i) => {
    const m = /^([^:]*):(.*)$/.exec(hop);
    if (!m) throw new CliError(`invalid ${what} "${value}": hop ${i + 1} "${hop}" is not <pool-id>:<denom>, e.g. 1:uusdc`);
    const poolId = parsePoolId(m[1] ?? '', `${what} hop ${i + 1} pool id`);
    const denom = baseDenom(m[2] ?? '');
    try {
      validateDenom(denom);
    } catch {
      throw new CliError(`invalid ${what} "${value}": hop ${i + 1} has an invalid denom "${m[2] ?? ''}"`);
    }
    return { poolId, denom };
  });
}

function coin(value: string, what: string, allowZero = false): Coin {
  try {
    return parseHumanCoin(value, { allowZero });
  } catch (e) {
    // `--min-out 0`: zero needs its denom too.
    const zero = allowZero && /^0+(\.0*)?$/.test(value.trim()) ? ' (for no limit, give 0 of the denom that comes out, e.g. 0usdc)' : '';
    throw new CliError(`${what}: ${(e as Error).message}${zero}`);
  }
}

function coinList(value: string, what: string): Coin[] {
  try {
    return parseHumanCoins(value);
  } catch (e) {
    throw new CliError(`${what}: ${(e as Error).message}`);
  }
}

/** A whole number of base units (LP shares, min shares), 0 allowed only where `allowZero`. */
function wholeAmount(value: string, what: string, allowZero: boolean): string {
  if (!/^[0-9]{1,78}$/.test(value) || (!allowZero && BigInt(value) === 0n)) {
    throw new CliError(`invalid ${what} "${value}": expected a ${allowZero ? 'non-negative' : 'positive'} whole number`);
  }
  return BigInt(value).toString();
}

/** Runs a module validator, so the CLI refuses what the chain would, with the chain's message. */
function validated<T>(msg: T, validate: (m: T) => void): T {
  try {
    validate(msg);
  } catch (e) {
    if (e instanceof LanesError) throw new CliError(`${e.message} (${e.codespace}/${e.code})`);
    throw e;
  }
  return msg;
}

/** Unix seconds, or an ISO-8601 time. */
function parseTime(value: string, what: string): bigint {
  if (/^[0-9]{1,12}$/.test(value)) return BigInt(value);
  const ms = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new CliError(`invalid ${what} "${value}": expected Unix seconds or an ISO-8601 time like 2025-01-31T12:00:00Z`);
  return BigInt(Math.floor(ms / 1000));
}

// ---------------------------------------------------------------------------------------------
// Formatting.

/** Unix seconds as ISO-8601 UTC: 1700000000 -> 2023-11-14T22:13:20.000Z. */
const isoSeconds = (seconds: bigint | string): string => new Date(Number(seconds) * 1000).toISOString();

/**
 * The chain's TWAP refusals give times in Unix seconds ("start_time 1765000000 is before the oldest
 * retained observation of pool 1 at 1765000100"): each such time gets its ISO-8601 UTC form after
 * it. The chain's words stay as they are (they are its log, which consensus sees).
 */
export function withIsoTimes(message: string): string {
  return message.replace(/\b(start_time|end_time|time|at) ([0-9]{1,12})\b/g, (_m, word: string, seconds: string) => `${word} ${seconds} (${isoSeconds(seconds)})`);
}

const POOL_TYPES: Record<string, PoolType> = { 'constant-product': PoolType.POOL_TYPE_CONSTANT_PRODUCT, stableswap: PoolType.POOL_TYPE_STABLESWAP };

/** "0.003000000000000000" -> "0.003". */
const trimDec = (dec: string): string => new D(dec).toFixed();
const percent = (dec: string, places = 4): string => `${new D(dec).mul(100).toDecimalPlaces(places).toFixed()}%`;

function describePoolType(p: Pool): string {
  if (p.poolType === PoolType.POOL_TYPE_STABLESWAP) return `stableswap (A = ${p.amplification})`;
  if (p.poolType === PoolType.POOL_TYPE_CONSTANT_PRODUCT) return 'constant product';
  return poolTypeToJSON(p.poolType);
}

/** The proto3 JSON names of the Cosmos CLI (snake_case, enums by name, 64-bit ints as strings). */
function poolJson(p: Pool) {
  return {
    id: p.id.toString(),
    pool_type: poolTypeToJSON(p.poolType),
    reserves: p.reserves,
    total_shares: p.totalShares,
    share_denom: p.shareDenom,
    swap_fee: p.swapFee,
    amplification: p.amplification.toString(),
  };
}

function poolText(p: Pool): string {
  return [
    `pool ${p.id}: ${describePoolType(p)}, swap fee ${percent(p.swapFee)}`,
    `  reserves: ${p.reserves.map(showCoin).join(', ')}`,
    `  shares: ${p.totalShares}${p.shareDenom}`,
  ].join('\n');
}

/** `1 atom = 10 usdc`: the 18-decimal price of base units scaled by the display exponents. */
function displayPrice(price: string, base: string, quote: string): string {
  const b = denomUnit(base);
  const q = denomUnit(quote);
  const scaled = new D(price).mul(new D(10).pow((b?.exponent ?? 0) - (q?.exponent ?? 0)));
  return `1 ${b?.display ?? base} = ${scaled.toFixed()} ${q?.display ?? quote}`;
}

function routeText(hops: readonly { poolId: bigint; denom: string }[], arrow: string): string {
  return hops.map((h) => `pool ${h.poolId} ${arrow} ${h.denom}`).join(', ');
}

function msgResponse<T>(res: DeliverTxResponse, typeUrl: string, codec: { decode(b: Uint8Array): T }): T {
  const r = res.msgResponses[0];
  if (r?.typeUrl !== typeUrl) throw new CliError(`tx ${res.transactionHash} succeeded, but its result holds no ${typeUrl}`);
  return codec.decode(r.value);
}

function group(program: Command, name: string): Command {
  const cmd = program.commands.find((c) => c.name() === name);
  if (!cmd) throw new Error(`register the "${name}" command group before the AMM commands`);
  return cmd;
}

// ---------------------------------------------------------------------------------------------
// Commands.

export function register(program: Command): void {
  registerTx(group(program, 'tx'));
  registerQuery(group(program, 'query'));
}

function registerTx(txGroup: Command): void {
  const amm = txGroup.command('amm').description('AMM transactions: pools, liquidity, swaps');

  addTxOptions(
    amm
      .command('create-pool <from> <liquidity>')
      .description('create a pool from two assets, e.g. 100atom,1000usdc; pays the pool creation fee (1lane on the devnet)')
      .addOption(new Option('--type <type>', 'pool curve').choices(Object.keys(POOL_TYPES)).default('constant-product'))
      .option('--swap-fee <decimal>', 'fee taken from each swap input, 0 to 0.1', '0.003')
      .option('--amplification <A>', 'stableswap amplification, 1 to 10000 (stableswap only)'),
  ).action(
    cliAction(async (from: string, liquidity: string, opts: TxOptions & { type: string; swapFee: string; amplification?: string }, cmd: Command) => {
      const coins = coinList(liquidity, '<liquidity>');
      const poolType = POOL_TYPES[opts.type] ?? PoolType.POOL_TYPE_UNSPECIFIED;
      if (poolType === PoolType.POOL_TYPE_STABLESWAP && opts.amplification === undefined) {
        throw new CliError('--amplification is required for --type stableswap (e.g. --amplification 100)');
      }
      const amplification = opts.amplification === undefined ? 0n : BigInt(wholeAmount(opts.amplification, '--amplification', false));
      const summary = `create a ${opts.type} pool with ${coins.map(showCoin).join(' and ')}, swap fee ${opts.swapFee}` +
        `${poolType === PoolType.POOL_TYPE_STABLESWAP ? `, amplification ${amplification}` : ''} (pays the pool creation fee)`;
      await signAndSend(
        cmd,
        from,
        (signer): MsgCreatePoolEncodeObject[] => [{
          typeUrl: '/lanes.amm.v1.MsgCreatePool',
          value: validated({ creator: signer, poolType, initialLiquidity: coins, swapFee: opts.swapFee, amplification }, validateMsgCreatePool),
        }],
        summary,
        opts,
        {
          spends: coins,
          describe: (res) => {
            const r = msgResponse(res, '/lanes.amm.v1.MsgCreatePoolResponse', MsgCreatePoolResponse);
            return { pool_id: r.poolId.toString(), shares_out: { denom: shareDenom(r.poolId), amount: r.sharesOut } };
          },
        },
      );
    }),
  );

  addTxOptions(
    amm
      .command('add-liquidity <from> <pool-id> <max-amounts>')
      .description('deposit at most <max-amounts> (both assets, e.g. 10atom,100usdc); only the proportional amounts are taken')
      .requiredOption('--min-shares <n>', 'fail unless at least this many LP shares are minted (0 for no limit: a deposit, like a swap, states its limit)'),
  ).action(
    cliAction(async (from: string, pool: string, maxAmounts: string, opts: TxOptions & { minShares: string }, cmd: Command) => {
      const poolId = parsePoolId(pool);
      const coins = coinList(maxAmounts, '<max-amounts>');
      const minSharesOut = wholeAmount(opts.minShares, '--min-shares', true);
      await signAndSend(
        cmd,
        from,
        (signer): MsgAddLiquidityEncodeObject[] => [{
          typeUrl: '/lanes.amm.v1.MsgAddLiquidity',
          value: validated({ sender: signer, poolId, maxAmountsIn: coins, minSharesOut }, validateMsgAddLiquidity),
        }],
        `add at most ${coins.map(showCoin).join(' and ')} to pool ${poolId} for at least ${minSharesOut} shares`,
        opts,
        {
          spends: coins,
          describe: (res) => {
            const r = msgResponse(res, '/lanes.amm.v1.MsgAddLiquidityResponse', MsgAddLiquidityResponse);
            return { shares_out: { denom: shareDenom(poolId), amount: r.sharesOut }, amounts_in: r.amountsIn };
          },
        },
      );
    }),
  );

  addTxOptions(
    amm
      .command('remove-liquidity <from> <pool-id> <shares>')
      .description('redeem <shares> LP shares (whole units of amm/pool/<id>) for the pool\'s assets')
      .requiredOption('--min-out <amounts>', 'fail unless at least these amounts come out, e.g. 1atom,10usdc; none for no limit (a withdrawal, like a swap, states its limit)'),
  ).action(
    cliAction(async (from: string, pool: string, sharesArg: string, opts: TxOptions & { minOut: string }, cmd: Command) => {
      const poolId = parsePoolId(pool);
      const shares = wholeAmount(sharesArg, '<shares>', false);
      const minAmountsOut = opts.minOut === 'none' ? [] : coinList(opts.minOut, '--min-out');
      await signAndSend(
        cmd,
        from,
        (signer): MsgRemoveLiquidityEncodeObject[] => [{
          typeUrl: '/lanes.amm.v1.MsgRemoveLiquidity',
          value: validated({ sender: signer, poolId, shares, minAmountsOut }, validateMsgRemoveLiquidity),
        }],
        `redeem ${shares}${shareDenom(poolId)}${minAmountsOut.length ? ` for at least ${minAmountsOut.map(showCoin).join(' and ')}` : ''}`,
        opts,
        {
          spends: [{ denom: shareDenom(poolId), amount: shares }],
          describe: (res) => ({ amounts_out: msgResponse(res, '/lanes.amm.v1.MsgRemoveLiquidityResponse', MsgRemoveLiquidityResponse).amountsOut }),
        },
      );
    }),
  );

  addTxOptions(
    amm
      .command('swap-exact-in <from> <token-in>')
      .description('sell exactly <token-in> (e.g. 1atom) along --route, for at least --min-out')
      .requiredOption('--route <hops>', 'pools and the denom each one pays out, in order, e.g. 1:uusdc or 1:uusdc,2:ulane')
      .requiredOption('--min-out <amount>', 'fail (and keep <token-in>) unless at least this much comes out, e.g. 9.9usdc; 0usdc for no limit'),
  ).action(
    cliAction(async (from: string, tokenInArg: string, opts: TxOptions & { route: string; minOut: string }, cmd: Command) => {
      const tokenIn = coin(tokenInArg, '<token-in>');
      const hops = parseRoute(opts.route);
      const minOut = coin(opts.minOut, '--min-out', true);
      const outDenom = hops[hops.length - 1]?.denom;
      if (minOut.denom !== outDenom) throw new CliError(`--min-out ${opts.minOut} is in ${minOut.denom}, but --route ${opts.route} pays out ${outDenom}`);
      const routes: SwapAmountInRoute[] = hops.map((h) => ({ poolId: h.poolId, tokenOutDenom: h.denom }));
      await signAndSend(
        cmd,
        from,
        (signer): MsgSwapExactInEncodeObject[] => [{
          typeUrl: '/lanes.amm.v1.MsgSwapExactIn',
          value: validated({ sender: signer, routes, tokenIn, minAmountOut: minOut.amount }, validateMsgSwapExactIn),
        }],
        `swap ${showCoin(tokenIn)} for at least ${showCoin(minOut)} via ${routeText(hops, '->')}`,
        opts,
        {
          spends: [tokenIn],
          describe: (res) => ({ amount_out: { denom: minOut.denom, amount: msgResponse(res, '/lanes.amm.v1.MsgSwapExactInResponse', MsgSwapExactInResponse).amountOut } }),
        },
      );
    }),
  );

  addTxOptions(
    amm
      .command('swap-exact-out <from> <token-out>')
      .description('buy exactly <token-out> (e.g. 10usdc) along --route, paying at most --max-in')
      .requiredOption('--route <hops>', 'pools and the denom each one takes in, in order, e.g. 1:uatom or 2:ulane,1:uusdc')
      .requiredOption('--max-in <amount>', 'fail unless the input is at most this, e.g. 1.1atom'),
  ).action(
    cliAction(async (from: string, tokenOutArg: string, opts: TxOptions & { route: string; maxIn: string }, cmd: Command) => {
      const tokenOut = coin(tokenOutArg, '<token-out>');
      const hops = parseRoute(opts.route);
      const maxIn = coin(opts.maxIn, '--max-in');
      const inDenom = hops[0]?.denom;
      if (maxIn.denom !== inDenom) throw new CliError(`--max-in ${opts.maxIn} is in ${maxIn.denom}, but --route ${opts.route} takes in ${inDenom}`);
      const routes: SwapAmountOutRoute[] = hops.map((h) => ({ poolId: h.poolId, tokenInDenom: h.denom }));
      await signAndSend(
        cmd,
        from,
        (signer): MsgSwapExactOutEncodeObject[] => [{
          typeUrl: '/lanes.amm.v1.MsgSwapExactOut',
          value: validated({ sender: signer, routes, tokenOut, maxAmountIn: maxIn.amount }, validateMsgSwapExactOut),
        }],
        `buy ${showCoin(tokenOut)} for at most ${showCoin(maxIn)} via ${routeText(hops, '<-')}`,
        opts,
        {
          spends: [maxIn],
          describe: (res) => ({ amount_in: { denom: maxIn.denom, amount: msgResponse(res, '/lanes.amm.v1.MsgSwapExactOutResponse', MsgSwapExactOutResponse).amountIn } }),
        },
      );
    }),
  );
}

function registerQuery(queryGroup: Command): void {
  const amm = queryGroup.command('amm').description('AMM queries: pools, quotes, prices');
  const queryCommand = (spec: string, description: string): Command =>
    amm.command(spec).description(description).addOption(nodeOption()).addOption(outputOption());

  queryCommand('pool <pool-id>', 'one pool: curve, reserves, LP shares, swap fee').action(
    cliAction(async (pool: string, opts: QueryOptions, _cmd: Command) => {
      const poolId = parsePoolId(pool);
      const p = await withQuery(opts.node, (q) => q.amm.pool(poolId));
      if (opts.output === 'json') printJson(poolJson(p));
      else process.stdout.write(`${poolText(p)}\n`);
    }),
  );

  queryCommand('pools', 'every pool, in id order').action(
    cliAction(async (opts: QueryOptions, _cmd: Command) => {
      const pools = await withQuery(opts.node, async (q) => {
        const all: Pool[] = [];
        let key: Uint8Array | undefined;
        do {
          const page = await q.amm.pools(key);
          all.push(...page.pools);
          key = page.pagination?.nextKey;
        } while (key !== undefined && key.length > 0);
        return all;
      });
      if (opts.output === 'json') printJson({ pools: pools.map(poolJson) });
      else process.stdout.write(pools.length ? `${pools.map(poolText).join('\n')}\n` : 'no pools\n');
    }),
  );

  queryCommand('estimate-swap <token>', 'quote a swap: <token> in along --route (pool:token_out), or with --exact-out <token> out (pool:token_in)')
    .requiredOption('--route <hops>', 'as for tx amm swap-exact-in (or swap-exact-out with --exact-out)')
    .option('--exact-out', '<token> is the exact output; quote the input needed')
    .action(
      cliAction(async (tokenArg: string, opts: QueryOptions & { route: string; exactOut?: boolean }, _cmd: Command) => {
        const token = coin(tokenArg, '<token>');
        const hops = parseRoute(opts.route);
        const quote = await withQuery(opts.node, async (q) => {
          if (opts.exactOut) {
            const r = await q.amm.estimateSwapExactOut(hops.map((h) => ({ poolId: h.poolId, tokenInDenom: h.denom })), token);
            return { key: 'amount_in', amount: { denom: hops[0]?.denom ?? '', amount: r.amountIn }, priceImpact: r.priceImpact };
          }
          const r = await q.amm.estimateSwapExactIn(hops.map((h) => ({ poolId: h.poolId, tokenOutDenom: h.denom })), token);
          return { key: 'amount_out', amount: { denom: hops[hops.length - 1]?.denom ?? '', amount: r.amountOut }, priceImpact: r.priceImpact };
        });
        if (opts.output === 'json') printJson({ [quote.key]: quote.amount, price_impact: quote.priceImpact });
        else process.stdout.write(`${quote.key}: ${showCoin(quote.amount)}\nprice_impact: ${percent(quote.priceImpact)}\n`);
      }),
    );

  queryCommand('spot-price <pool-id> <base-denom> <quote-denom>', 'price of one <base-denom> in <quote-denom> at the current reserves').action(
    cliAction(async (pool: string, baseArg: string, quoteArg: string, opts: QueryOptions, _cmd: Command) => {
      const poolId = parsePoolId(pool);
      const [base, quote] = [baseDenom(baseArg), baseDenom(quoteArg)];
      const price = await withQuery(opts.node, (q) => q.amm.spotPrice(poolId, base, quote));
      if (opts.output === 'json') printJson({ pool_id: poolId.toString(), base_denom: base, quote_denom: quote, spot_price: price });
      else process.stdout.write(`${displayPrice(price, base, quote)} (spot price ${trimDec(price)} ${quote} per ${base})\n`);
    }),
  );

  queryCommand('twap <pool-id> <base-denom> <quote-denom>', 'time-weighted average price over a window of block time (default: the last 60 s)')
    .addOption(new Option('--start <time>', 'window start: Unix seconds or ISO-8601').conflicts('window'))
    .option('--end <time>', 'window end: Unix seconds or ISO-8601 (default: the latest block time)')
    .option('--window <seconds>', 'window length ending at --end', '60')
    .action(
      cliAction(async (pool: string, baseArg: string, quoteArg: string, opts: QueryOptions & { start?: string; end?: string; window: string }, cmd: Command) => {
        const poolId = parsePoolId(pool);
        const [base, quote] = [baseDenom(baseArg), baseDenom(quoteArg)];
        const window = BigInt(wholeAmount(opts.window, '--window', false));
        const start = opts.start === undefined ? undefined : parseTime(opts.start, '--start');
        const end = opts.end === undefined ? await latestBlockSeconds(opts.node) : parseTime(opts.end, '--end');
        let from = start ?? end - window;
        let shortened = false;
        const twap = await withQuery(opts.node, async (q) => {
          // The default window reaching back past the pool's history (a new pool, a fresh chain):
          // the window is the history there is, said on stderr once the chain has answered. A
          // window asked for is never shortened: the chain refuses it.
          if (start === undefined && cmd.getOptionValueSource('window') === 'default') {
            const { oldestSeconds } = await q.amm.twapHistory(poolId);
            if (oldestSeconds > from && oldestSeconds < end) [from, shortened] = [oldestSeconds, true];
          }
          return q.amm.twap(poolId, base, quote, from, end);
        }).catch((e: unknown) => {
          throw e instanceof CliError ? new CliError(withIsoTimes(e.message)) : e;
        });
        if (shortened) process.stderr.write(`note: pool ${poolId}'s price history starts at ${isoSeconds(from)}: the window is the ${end - from} s since then, not the default ${window} s\n`);
        const window_ = { start_time: isoSeconds(from), end_time: isoSeconds(end) };
        if (opts.output === 'json') printJson({ pool_id: poolId.toString(), base_denom: base, quote_denom: quote, ...window_, twap });
        else process.stdout.write(`${displayPrice(twap, base, quote)} (twap ${trimDec(twap)} ${quote} per ${base}, ${window_.start_time} to ${window_.end_time})\n`);
      }),
    );
}

/** The latest block's time in whole seconds, as the chain's TWAP sees it. */
async function latestBlockSeconds(node: string): Promise<bigint> {
  try {
    const comet = await Comet38Client.connect(node);
    try {
      return BigInt(Math.floor((await comet.status()).syncInfo.latestBlockTime.getTime() / 1000));
    } finally {
      comet.disconnect();
    }
  } catch (e) {
    throw explainNodeError(e, node);
  }
}
