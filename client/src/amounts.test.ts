import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCoin, formatCoins, lanesDenoms, MAX_AMOUNT, parseHumanCoin, parseHumanCoins } from './amounts.ts';

describe('parseHumanCoin', () => {
  const ok: [string, string, string][] = [
    ['1.5lane', 'ulane', '1500000'],
    ['1lane', 'ulane', '1000000'],
    ['0.000001lane', 'ulane', '1'],
    ['1.000001lane', 'ulane', '1000001'],
    ['1.500000lane', 'ulane', '1500000'],
    ['250ulane', 'ulane', '250'],
    ['1000000uatom', 'uatom', '1000000'],
    ['2usdc', 'uusdc', '2000000'],
    ['3.25usdt', 'uusdt', '3250000'],
    ['0.1eth', 'ueth', '100000'],
    ['007lane', 'ulane', '7000000'],
    [' 1.5 lane ', 'ulane', '1500000'],
    ['7amm/pool/1', 'amm/pool/1', '7'],
    // 2^256 - 1 base units: the largest Cosmos Int.
    [`${MAX_AMOUNT}ulane`, 'ulane', MAX_AMOUNT.toString()],
    // Far beyond float precision: must stay exact.
    ['123456789012345678901234567890.123456lane', 'ulane', '123456789012345678901234567890123456'],
  ];
  for (const [input, denom, amount] of ok) {
    it(`${JSON.stringify(input)} -> ${amount}${denom}`, () => {
      assert.deepEqual(parseHumanCoin(input), { denom, amount });
    });
  }

  const bad: [string, RegExp][] = [
    ['1.1234567lane', /at most 6 decimal places/],
    ['1.5ulane', /base denom.*whole numbers/],
    ['-1lane', /negative/],
    ['0lane', /must be positive/],
    ['0.000000lane', /must be positive/],
    ['0ulane', /must be positive/],
    ['', /expected <number><denom>/],
    ['lane', /expected <number><denom>/],
    ['1.5', /expected <number><denom>/],
    ['.5lane', /expected <number><denom>/],
    ['1.lane', /expected <number><denom>/],
    ['1,5lane', /expected <number><denom>/],
    ['1.5la', /expected <number><denom>/],
    ['1.5 lane extra', /expected <number><denom>/],
    ['0x10lane', /hex notation/],
    ['1e6lane', /exponent and hex notation/],
    ['NaNlane', /expected <number><denom>/],
    ['Infinitylane', /expected <number><denom>/],
    [`${MAX_AMOUNT + 1n}ulane`, /256-bit/],
    [`${'9'.repeat(100)}ulane`, /too many digits/],
  ];
  for (const [input, msg] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseHumanCoin(input),
        (e: unknown) => {
          assert.ok(e instanceof Error, 'expected an Error');
          assert.equal(e.name, 'InvalidAmountError');
          assert.match(e.message, msg);
          assert.ok(e.message.includes(`"${input}"`), `message names the input: ${e.message}`);
          return true;
        },
      );
    });
  }

  it('accepts zero with allowZero', () => {
    assert.deepEqual(parseHumanCoin('0lane', { allowZero: true }), { denom: 'ulane', amount: '0' });
  });
});

describe('parseHumanCoins', () => {
  it('parses a list and sorts it by denom', () => {
    assert.deepEqual(parseHumanCoins('2usdc,1.5lane,1000000uatom'), [
      { denom: 'uatom', amount: '1000000' },
      { denom: 'ulane', amount: '1500000' },
      { denom: 'uusdc', amount: '2000000' },
    ]);
  });
  it('rejects a denom given twice, also across display and base forms', () => {
    assert.throws(() => parseHumanCoins('1lane,5ulane'), /denom ulane appears twice/);
  });
  it('takes a decimal comma for what it is: "1,5lane" names the comma and the decimal point', () => {
    assert.throws(() => parseHumanCoins('1,5lane'), /invalid amount list "1,5lane": "1" has no denom; "," separates coins and "." is the decimal point/);
  });
  it('rejects empty entries', () => {
    assert.throws(() => parseHumanCoins(''), /invalid amount list ""/);
    assert.throws(() => parseHumanCoins('1lane,'), /invalid amount list "1lane,"/);
  });
  it('names the bad element', () => {
    assert.throws(() => parseHumanCoins('1lane,xyz'), /"xyz"/);
  });
});

describe('formatCoin', () => {
  const cases: [string, string, string][] = [
    ['ulane', '1500000', '1.5lane'],
    ['ulane', '1', '0.000001lane'],
    ['ulane', '0', '0lane'],
    ['ulane', '1000000', '1lane'],
    ['uusdc', '123456789', '123.456789usdc'],
    ['amm/pool/1', '42', '42amm/pool/1'],
    ['ulane', MAX_AMOUNT.toString(), `${MAX_AMOUNT / 1_000_000n}.${(MAX_AMOUNT % 1_000_000n).toString().padStart(6, '0')}lane`],
  ];
  for (const [denom, amount, want] of cases) {
    it(`${amount}${denom} -> ${want}`, () => assert.equal(formatCoin({ denom, amount }), want));
  }
  it('rejects a non-integer amount, naming it', () => {
    assert.throws(() => formatCoin({ denom: 'ulane', amount: '1.5' }), /"1.5"/);
    assert.throws(() => formatCoin({ denom: 'ulane', amount: '-1' }), /"-1"/);
  });
  it('formats lists', () => {
    assert.equal(formatCoins([{ denom: 'uatom', amount: '1' }, { denom: 'ulane', amount: '2500000' }]), '0.000001atom,2.5lane');
  });
});

describe('properties', () => {
  const displayDenom = fc.constantFrom(...lanesDenoms.map((d) => d.display));
  // Canonical human amounts: no leading zeros, no trailing fractional zeros, at most 6 decimals, > 0.
  const canonical = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 999_999 }), displayDenom)
    .filter(([w, f]) => w > 0n || f > 0)
    .map(([w, f, d]) => {
      const frac = f.toString().padStart(6, '0').replace(/0+$/, '');
      return `${w}${frac ? `.${frac}` : ''}${d}`;
    });

  it('format(parse(x)) === x for canonical human amounts', () => {
    fc.assert(fc.property(canonical, (x) => formatCoin(parseHumanCoin(x)) === x), { numRuns: 2000 });
  });

  it('parse(format(c)) deep-equals c for any base coin', () => {
    const denom = fc.constantFrom(...lanesDenoms.map((d) => d.base), 'amm/pool/7', 'ibc/ABCDEF');
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_AMOUNT }), denom, (n, d) => {
        const coin = { denom: d, amount: n.toString() };
        assert.deepEqual(parseHumanCoin(formatCoin(coin)), coin);
      }),
      { numRuns: 2000 },
    );
  });

  it('parse is exact: base amount equals whole * 10^6 + fraction digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.stringMatching(/^[0-9]{0,6}$/), (w, f) => {
        fc.pre(w > 0n || /[1-9]/.test(f));
        const coin = parseHumanCoin(`${w}${f ? `.${f}` : ''}lane`);
        assert.equal(coin.amount, (w * 1_000_000n + BigInt(f.padEnd(6, '0') || '0')).toString());
      }),
    );
  });
});
