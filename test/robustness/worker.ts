/** Worker-thread entry for CaseWorker (harness.ts): runs one task per message, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { type Task, loadCorpus, makeTaskRunner } from './harness.js';

const port = parentPort!;
const corpus = loadCorpus((workerData as { pcapsDir: string }).pcapsDir);
const runTask = makeTaskRunner(corpus);

let queue = Promise.resolve();
port.on('message', (task: Task) => {
  queue = queue.then(async () => port.postMessage(await runTask(task)));
});
port.postMessage({ kind: 'ready' });
