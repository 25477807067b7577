// The worker thread of store/write-thread.ts: one connection, apply's transactions in the order they come.
import type { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseError } from '../domain/errors.ts';
import { ApplyTransactions, type RecordedTransaction } from './apply-writes.ts';
import { connectForBulkWrites } from './database.ts';
import type { FailureText } from './write-thread.ts';

const { path } = workerData as { path: string };
let db: DatabaseSync | null = null;
let transactions: ApplyTransactions | null = null;
let unopened: unknown = null;
try {
  db = connectForBulkWrites(path);
  transactions = new ApplyTransactions(db);
} catch (error) {
  unopened = error;
}

const port = parentPort!;
port.on('message', (recorded: RecordedTransaction | null) => {
  if (recorded === null) {
    db?.close();
    port.close();
    return;
  }
  try {
    if (!transactions) throw unopened;
    transactions.replay(recorded);
    port.postMessage(null);
  } catch (error) {
    port.postMessage(failureText(error));
  }
});

function failureText(error: unknown): FailureText {
  const { name = 'Error', message = String(error), code, errcode, errstr } = error as Partial<FailureText>;
  return { name, message, ...(code !== undefined && { code }), ...(errcode !== undefined && { errcode }), ...(errstr !== undefined && { errstr }), ...(error instanceof DatabaseError && { file: error.file }) };
}
