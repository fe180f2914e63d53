import type { Context } from '@lanes/app';

// Cosmos SDK event names and keys, so tx_search and explorers work unchanged.
export function emitTransfer(ctx: Context, sender: string, recipient: string, amount: string): void {
  ctx.emit('coin_spent', { spender: sender, amount });
  ctx.emit('coin_received', { receiver: recipient, amount });
  ctx.emit('transfer', { recipient, sender, amount });
}

export function emitMint(ctx: Context, minter: string, amount: string): void {
  ctx.emit('coinbase', { minter, amount });
  ctx.emit('coin_received', { receiver: minter, amount });
}

export function emitBurn(ctx: Context, burner: string, amount: string): void {
  ctx.emit('coin_spent', { spender: burner, amount });
  ctx.emit('burn', { burner, amount });
}
