/**
 * What a {@link QueueRunner} and its queue thread say to each other (kept apart from the
 * thread's entry module, whose import starts the thread's work).
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

/** The `id` of a reply to no request: the connection at start, a failure between requests. */
export const UNSOLICITED = 0;
