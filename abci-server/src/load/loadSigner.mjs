// Worker thread entry of the load generator's pre-signing: registers the TypeScript loader,
// then signs its share of the txs (see loadSign.ts).
import { register } from 'tsx/esm/api';

register();
await import('./loadSign.ts');
