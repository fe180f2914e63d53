// @lanes/abci-server: the gRPC binding of the app and the node launcher, for the CLI, test/ and
// bench/ (start a node programmatically: initHome, then startNode, then stop()).
export {
  ABCI_SERVICE, PANIC_CODE, PANIC_CODESPACE, abciServiceDefinition, startAbciGrpcServer,
  type AbciGrpcServer, type AbciGrpcServerOptions,
} from './grpcServer.ts';
export {
  BLOCK_MAX_BYTES, DEFAULT_COMET_LOG_LEVEL, appMempoolOptions, editCometConfig, editGenesis, getTomlKey, setTomlKey,
  type CometConfigOptions, type GenesisOptions, type NodePorts, type TomlValue,
} from './node/config.ts';
export {
  DEFAULT_EXECUTOR, DEFAULT_METRICS_HOST, DEFAULT_METRICS_PORT, DEFAULT_PORTS, EXECUTORS, REPO_ROOT, UserError, cometbftBinary, errorText, cometbftGoMaxProcs, defaultHome, homeConsensusLimits, homeMempoolOptions, homePaths, initHome,
  isRunning, metricsUrl, parseExecutor, parseMetricsHost, parseMetricsPort, parseMinRetainBlocks, parseWorkers, readManifest, resetHome, resolveAppSettings,
  type AppSettings, type HomeManifest, type InitHomeOptions, type NodeExecutor,
} from './node/home.ts';
export { createLanesMetrics, startMetricsServer, type LanesMetrics, type MetricsServer } from './node/metrics.ts';
export { startNode, type NodeHandle, type StartNodeOptions } from './node/launcher.ts';
export { runApp, type RunAppOptions } from './node/appProcess.ts';
export {
  DEFAULT_TESTNET_DIR, MAX_TESTNET_VALIDATORS, defaultTestnetPorts, initTestnet, quorum, testnetHomes, type TestnetNode, type TestnetOptions,
} from './node/testnet.ts';
export * from './lanesApp.ts';
export { runLoad, loadTable, freePort, LOAD_CHAIN_ID, type LoadOptions, type LoadResult } from './load/load.ts';
export { table } from './load/table.ts';
export { positiveNumber, rpcUrl, wholeNumber } from './commands/numbers.ts';
