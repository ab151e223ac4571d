import { parentPort } from 'node:worker_threads';
import { hashBatch, type HashBatch } from './event-hasher';

/** Worker thread of HashPool: hashes the batches it is sent, answering each with its id. */
parentPort?.on('message', ({ id, batch }: { id: number; batch: HashBatch }) => {
  try {
    const hashed = hashBatch(batch);
    parentPort?.postMessage({ id, hashed }, [hashed.matches.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
