/**
 * What a {@link QueueRunner} and its queue thread say to each other (kept apart from the
 * thread's entry module, whose import starts the thread's work), and the counts they share.
 * Type-only imports of the client: the runner's side must not load BullMQ and ioredis, which
 * only the queue thread uses (they would add ~0.2 s to every start of the CLI).
 * @module
 */
import type { MessagePort } from "node:worker_threads";
import type { QueueClient, QueueClientSettings, QueueJob } from "./queue-client.js";

/** What the runner hands the thread at start. */
export interface QueueThreadData {
  port: MessagePort;
  /** Int32Array word 0: replies so far. */
  control: SharedArrayBuffer;
  settings: QueueClientSettings;
  connectTimeoutMs: number;
  quiet: boolean;
}

/** Requests from the runner (posted with a number, `id`, that the reply carries back). */
export type QueueRequest =
  | { kind: "batch"; jobs: QueueJob[]; newBlobs: [string, Uint8Array][]; hashes: string[] }
  | { kind: "workers" }
  | { kind: "close" };

/** Replies to the runner. */
export type QueueReply =
  | { kind: "ready" }
  | { kind: "results"; results: [string, unknown][]; counts: QueueClient["counts"] }
  | { kind: "workers"; count: number }
  | { kind: "closed" }
  | { kind: "error"; message: string; code?: string };

/** What happened to the jobs of a runner so far. */
export interface QueueCounts {
  /** Jobs added to the queue. */
  submitted: number;
  /** Results already in Redis when their job was submitted (an earlier identical run). */
  reused: number;
  /** Jobs that had failed before this run, sent again once. */
  retried: number;
  /** Jobs Redis lost (a restart without persistence), submitted again. */
  resubmitted: number;
  /** Blobs Redis lost, stored again. */
  blobsRestored: number;
  /** Completion events for jobs whose result was already collected: ignored. */
  duplicateEvents: number;
  /** Malformed results rejected (their jobs run again). */
  rejected: number;
}

/** A new {@link QueueCounts} of zeros. */
export function zeroCounts(): QueueCounts {
  return { submitted: 0, reused: 0, retried: 0, resubmitted: 0, blobsRestored: 0, duplicateEvents: 0, rejected: 0 };
}

/** The `id` of a reply to no request: the connection at start, a failure between requests. */
export const UNSOLICITED = 0;
