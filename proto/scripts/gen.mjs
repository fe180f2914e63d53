#!/usr/bin/env node
// `npm run proto`: regenerates proto/src from the .proto files.
//   1. buf (the @bufbuild/buf npm package) runs ts-proto (local plugin from node_modules) into gen-ts/;
//   2. tsc compiles that to plain ES modules + .d.ts under src/, committed.
// Why JS and not .ts: the codecs must load under plain `node` (the README's CosmJS example and
// any integrator's .mjs), which cannot import TypeScript; the .d.ts keep the types for tsx/tsc.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(dir, '..', 'node_modules', '.bin', name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    process.exit(1);
  }
}

rmSync(join(dir, 'gen-ts'), { recursive: true, force: true });
for (const d of ['lanes', 'cosmos', 'google']) rmSync(join(dir, 'src', d), { recursive: true, force: true });
run(bin('buf'), ['lint']);
run(bin('buf'), ['generate']);
run(bin('tsc'), ['-p', 'tsconfig.gen.json']);
rmSync(join(dir, 'gen-ts'), { recursive: true, force: true });
// Lint: ts-proto's blanket `/* eslint-disable */` would be reported as unused in most .js files.
// The only rule the emitted .js can break is no-empty (the empty `switch` in the decoder of a
// message without fields, e.g. QueryParamsRequest), so a file keeps `no-empty` disabled exactly
// when ESLint finds one there. The .d.ts keep ts-proto's `any` and `{}` types, so they carry the
// blanket directive.
const noEmpty = new Linter({ configType: 'flat' });
const hasEmptyBlock = (code) =>
  noEmpty.verify(code, [{ languageOptions: { sourceType: 'module' }, linterOptions: { noInlineConfig: true }, rules: { 'no-empty': 'error' } }]).some((m) => m.ruleId === 'no-empty');
for (const f of readdirSync(join(dir, 'src'), { recursive: true, encoding: 'utf8' })) {
  const path = join(dir, 'src', f);
  if (f.endsWith('.js')) {
    const code = readFileSync(path, 'utf8');
    writeFileSync(path, code.replace('/* eslint-disable */\n', hasEmptyBlock(code) ? '/* eslint-disable no-empty */\n' : ''));
  } else if (f.endsWith('.d.ts')) writeFileSync(path, `/* eslint-disable */\n${readFileSync(path, 'utf8')}`);
}
process.stdout.write('proto: generated src/ from lanes/**/*.proto\n');
