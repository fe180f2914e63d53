// Worker thread entry: registers the TypeScript loader, then runs the execution worker with
// the app's module wiring (workerData.entry exports createModules()).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
const { runWorker } = await import('./worker.ts');
const wiring = await import(workerData.entry);
runWorker(wiring.createModules);
