// Thread entry for a benchmark chain (chainThread.ts): registers the TypeScript loader, then
// runs chainThread.ts.
import { register } from 'tsx/esm/api';

register();
await import('./chainThread.ts');
