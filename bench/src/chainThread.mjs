// Thread entry for the two-thread ceiling probe (ceiling.ts): registers the TypeScript loader,
// then runs ceilingThread.ts.
import { register } from 'tsx/esm/api';

register();
await import('./ceilingThread.ts');
