import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_MAX_BYTES, appMempoolOptions, editGenesis, getTomlKey, recheckWarnings, setTomlKey } from './config.ts';

const TOML = `proxy_app = "tcp://127.0.0.1:26658"
abci = "socket"

[rpc]
laddr = "tcp://127.0.0.1:26657"
max_open_connections = 900

[instrumentation]
prometheus = false
max_open_connections = 3
`;

test('setTomlKey edits the key of the right section only', () => {
  const t = setTomlKey(setTomlKey(TOML, 'rpc', 'max_open_connections', 2000), '', 'proxy_app', '127.0.0.1:1');
  assert.match(t, /^proxy_app = "127.0.0.1:1"$/m);
  assert.match(t, /\[rpc\]\nladdr = "tcp:\/\/127.0.0.1:26657"\nmax_open_connections = 2000\n/);
  assert.match(t, /\[instrumentation\]\nprometheus = false\nmax_open_connections = 3\n/);
  assert.match(setTomlKey(TOML, 'rpc', 'laddr', ['*']), /^laddr = \["\*"\]$/m);
});

test('setTomlKey refuses a key the section does not have', () => {
  assert.throws(() => setTomlKey(TOML, 'rpc', 'prometheus', true), /no key prometheus in section \[rpc\]/);
  assert.throws(() => setTomlKey(TOML, '', 'laddr', 'x'), /top level/);
});

test('getTomlKey reads a key of the right section; appMempoolOptions: the size, and the app rechecks unless CometBFT does', () => {
  assert.equal(getTomlKey(TOML, 'rpc', 'max_open_connections'), '900');
  assert.equal(getTomlKey(TOML, 'instrumentation', 'max_open_connections'), '3');
  assert.equal(getTomlKey(TOML, '', 'abci'), '"socket"');
  assert.equal(getTomlKey(TOML, 'rpc', 'prometheus'), undefined);
  const pool = (recheck: string, size: string, bytes = '') => `[mempool]\nrecheck = ${recheck}\nsize = ${size} # txs\n${bytes && `max_txs_bytes = ${bytes}\n`}`;
  assert.deepEqual(appMempoolOptions(pool('false', '10000', '1073741824')), { mempoolSize: 10000, mempoolMaxBytes: 1073741824, recheck: 'app' });
  assert.deepEqual(appMempoolOptions(pool('true', '10', '-1')), { mempoolSize: 10, recheck: 'cometbft' });
  assert.deepEqual(appMempoolOptions(pool('true', '10000')), { mempoolSize: 10000, recheck: 'cometbft' });
  assert.deepEqual(appMempoolOptions(pool('false', '10000')), { mempoolSize: 10000, recheck: 'app' });
  assert.deepEqual(appMempoolOptions(pool('true', '0')), { recheck: 'cometbft' });
  assert.deepEqual(appMempoolOptions(pool('false', 'x')), { recheck: 'app' });
  // Without the key CometBFT's default holds: it rechecks, and the app must not as well.
  assert.deepEqual(appMempoolOptions(TOML), { recheck: 'cometbft' });
});

test('recheckWarnings: the unsafe RPC (its mempool flush) with the app rechecking, and nothing else', () => {
  const conf = (unsafe: string, recheck: string) => `[rpc]\nunsafe = ${unsafe}\n\n[mempool]\nrecheck = ${recheck}\n`;
  const [w, ...rest] = recheckWarnings(conf('true', 'false'));
  assert.match(w ?? '', /^rpc\.unsafe = true with mempool\.recheck = false: after \/unsafe_flush_mempool .* set mempool\.recheck = true$/);
  assert.deepEqual(rest, []);
  assert.deepEqual(recheckWarnings(conf('false', 'false')), []);
  assert.deepEqual(recheckWarnings(conf('true', 'true')), [], 'CometBFT rechecks: a flush leaves nothing behind in the app');
  assert.deepEqual(recheckWarnings('[mempool]\nrecheck = false\n'), []);
});

test('recheckWarnings: an RPC others can reach with the app rechecking (/check_tx fills its record), not a loopback one', () => {
  const conf = (laddr: string, recheck: string) => `[rpc]\nladdr = "${laddr}"\n\n[mempool]\nrecheck = ${recheck}\n`;
  for (const open of ['tcp://0.0.0.0:26657', 'tcp://10.1.2.3:26657', 'tcp://[::]:26657']) {
    const [w, ...rest] = recheckWarnings(conf(open, 'false'));
    assert.match(w ?? '', new RegExp(`^rpc\\.laddr = ${open.replace(/[.[\]]/g, '\\$&')} with mempool\\.recheck = false: .*/check_tx.* refuse /check_tx in a proxy or keep the RPC on 127\\.0\\.0\\.1`), open);
    assert.deepEqual(rest, [], open);
    assert.deepEqual(recheckWarnings(conf(open, 'true')), [], `${open}, CometBFT rechecking`);
  }
  for (const local of ['tcp://127.0.0.1:26657', 'tcp://localhost:26657', 'tcp://[::1]:26657', 'unix:///tmp/rpc.sock']) {
    assert.deepEqual(recheckWarnings(conf(local, 'false')), [], local);
  }
});

test('editGenesis sets chain id, app state, block limits and keeps validators', () => {
  const before = JSON.stringify({
    chain_id: 'test-chain-x',
    consensus_params: { block: { max_bytes: '22020096', max_gas: '10' }, abci: { vote_extensions_enable_height: '0' } },
    validators: [{ address: 'AB', power: '10' }],
  });
  const g = JSON.parse(editGenesis(before, { chainId: 'lanes-devnet-1', appState: { bank: { balances: [] } } }));
  assert.equal(g.chain_id, 'lanes-devnet-1');
  assert.deepEqual(g.app_state, { bank: { balances: [] } });
  assert.deepEqual(g.consensus_params.block, { max_bytes: String(BLOCK_MAX_BYTES), max_gas: '-1' });
  assert.equal(g.consensus_params.abci.vote_extensions_enable_height, '1');
  assert.deepEqual(g.validators, [{ address: 'AB', power: '10' }]);
  assert.ok(BLOCK_MAX_BYTES < 4 * 1024 * 1024, `BLOCK_MAX_BYTES ${BLOCK_MAX_BYTES} must stay under the 4 MiB gRPC receive limit`);
});
