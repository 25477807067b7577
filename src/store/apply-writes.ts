import type { DatabaseSync } from 'node:sqlite';
import type { SqlValue } from './bulk-insert.ts';
import { EventWriter, pushEvent } from './events.ts';
import { LegacyDuplicateRepository } from './legacy-duplicates.ts';
import { RefusalRepository } from './refusals.ts';
import { ReplicaRepository } from './replicas.ts';
import { immediateTransaction } from './transaction.ts';

/**
 * What apply writes, through these repositories' methods alone. Each returns nothing, so that a
 * transaction can be carried out where its caller does not wait for it: on a connection in a
 * worker thread (store/write-thread.ts), its calls recorded here and replayed there.
 */
export interface ApplyRepositories {
  replicas: Pick<ReplicaRepository, 'intendCreate' | 'intendCreates' | 'createsSettled' | 'intendUpdate' | 'intendDelete' | 'settled' | 'removed'>;
  events: Pick<EventWriter, 'add' | 'addSkip'>;
  refusals: Pick<RefusalRepository, 'refused' | 'forget'>;
  duplicates: Pick<LegacyDuplicateRepository, 'intendDelete' | 'notDeleted' | 'forget'>;
}

/** Where apply's transactions are written: on the run's own connection, or beside it in a worker thread. */
export interface ApplyWrites {
  /** Calls `work` with the repositories; resolves once what it wrote is committed, as one transaction. */
  transaction(work: (repositories: ApplyRepositories) => void): Promise<void>;
  /** Waits for every transaction asked for, then lets the connection go. */
  close(): Promise<void>;
}

/** One method call of a transaction, as data a worker thread can be sent. */
export type WriteCall = [repository: keyof ApplyRepositories, method: string, args: unknown[]];

/**
 * A transaction's calls, recorded: its events apart, as the flat values of their rows (an initial
 * sync at L sends 400,000: as objects, copying them to the thread cost more than it saved).
 */
export interface RecordedTransaction {
  calls: WriteCall[];
  events: SqlValue[];
}

/** The repositories of apply on `db`, with one transaction's work: its events written together, many rows a statement. */
export class ApplyTransactions {
  readonly #db: DatabaseSync;
  readonly #repositories: ApplyRepositories & { events: EventWriter };

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#repositories = { replicas: new ReplicaRepository(db), events: new EventWriter(db), refusals: new RefusalRepository(db), duplicates: new LegacyDuplicateRepository(db) };
  }

  run(work: (repositories: ApplyRepositories) => void): void {
    immediateTransaction(this.#db, () => this.#repositories.events.together(() => work(this.#repositories)));
  }

  /** Carries out a recorded transaction: its calls in order, then its events. */
  replay({ calls, events }: RecordedTransaction): void {
    this.run((repositories) => {
      for (const [repository, method, args] of calls) (repositories[repository] as unknown as Record<string, (...a: unknown[]) => void>)[method]!(...args);
      this.#repositories.events.addRows(events);
    });
  }
}

/** Apply's transactions on the run's own connection, each committed before its promise resolves. */
export class WritesHere implements ApplyWrites {
  readonly #transactions: ApplyTransactions;

  constructor(db: DatabaseSync) {
    this.#transactions = new ApplyTransactions(db);
  }

  async transaction(work: (repositories: ApplyRepositories) => void): Promise<void> {
    this.#transactions.run(work);
  }

  async close(): Promise<void> {}
}

/** Repositories that record each call into `recorded` instead of writing it. */
export function recordingRepositories(recorded: RecordedTransaction): ApplyRepositories {
  const recorder = (repository: keyof ApplyRepositories) => {
    const methods = new Map<string, (...args: unknown[]) => void>();
    return new Proxy(
      {},
      {
        get(_, method: string) {
          let call = methods.get(method);
          if (!call) methods.set(method, (call = (...args: unknown[]) => void recorded.calls.push([repository, method, args])));
          return call;
        },
      },
    );
  };
  const events: ApplyRepositories['events'] = {
    add: (event) => pushEvent(recorded.events, event),
    addSkip: (event) => void recorded.calls.push(['events', 'addSkip', [event]]),
  };
  return { replicas: recorder('replicas'), events, refusals: recorder('refusals'), duplicates: recorder('duplicates') } as unknown as ApplyRepositories;
}
