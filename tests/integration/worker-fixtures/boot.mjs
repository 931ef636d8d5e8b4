// Node worker_threads cannot load a .ts entry by themselves, and `execArgv: ["--import", "tsx"]`
// does not reach workers on Node 20: this plain-JS entry registers tsx, then loads the fixture.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.fixture);
