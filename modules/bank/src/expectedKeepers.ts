import type { Context } from '@lanes/app';

/** What bank needs from auth: to learn that an address without an account received funds. */
export interface AccountKeeper {
  noteReceipt(ctx: Context, addr: string): void;
}
