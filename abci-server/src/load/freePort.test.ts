import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from './load.ts';

test('freePort: distinct ports that can be bound, below the kernel\'s ephemeral range', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 20; i++) ports.push(await freePort());
  assert.equal(new Set(ports).size, ports.length, `handed out twice: ${ports}`);
  const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  for (const p of ports) assert.ok(p < lo, `port ${p} is in the ephemeral range starting at ${lo}`);
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(ports[0], '127.0.0.1', resolve);
  });
  await new Promise((r) => s.close(r));
});
