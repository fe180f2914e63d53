// `lanes tx ...` end to end, in a child process, against the real app behind a stand-in RPC (which
// answers queries and simulations, and broadcasts nothing: without -y and a terminal, a tx stops at
// its confirmation, after the summary).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_MNEMONIC, devnetAccounts } from '@lanes/client';
import { keyringPath } from './keys.ts';
import { lanes, startTestNode, type TestNode } from './testNode.ts';

describe('lanes tx bank send', () => {
  let node: TestNode;
  let home: string;
  before(async () => {
    node = await startTestNode();
    home = mkdtempSync(join(tmpdir(), 'lanes-tx-'));
  });
  after(async () => {
    await node.close();
    rmSync(home, { recursive: true, force: true });
  });
  const send = (...args: string[]) => lanes(['--home', home, 'tx', 'bank', 'send', ...args, '--node', node.url]);

  it('<to> takes the name of a key in --home\'s keyring; neither an address nor a key is refused naming the value', async () => {
    const bob = (await devnetAccounts())[4]?.address ?? '';
    writeFileSync(keyringPath(home), JSON.stringify({ version: 1, keys: [{ name: 'bob', address: bob, index: 4, hdPath: "m/44'/118'/0'/0/4", mnemonic: TEST_MNEMONIC }] }), { mode: 0o600 });
    const r = await send('test0', 'bob', '1lane');
    assert.match(r.err, new RegExp(`^send 1lane \\(1000000ulane\\) to bob \\(${bob}\\)\n`), r.err);
    assert.match(r.err, /error: not confirmed: stdin is not a terminal/);

    const nobody = await send('test0', 'carol', '1lane');
    assert.equal(nobody.code, 1);
    assert.equal(nobody.err, `error: recipient is not a lanes address or a key in ${keyringPath(home)}: carol\n`);
    // The devnet's keys have public mnemonics: a recipient takes them only once stored.
    const devnet = await send('test0', 'test1', '1lane');
    assert.match(devnet.err, /recipient is not a lanes address or a key in .*: test1 \(test1 is a built-in devnet key, whose mnemonic is public: give its address, or store the devnet keys with `lanes keys import-devnet`\)/);
    const typo = await send('test0', 'lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp', '1lane');
    assert.match(typo.err, /^error: invalid recipient "lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp": not bech32/);
  });
});
