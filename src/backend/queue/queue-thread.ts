/**
 * Entry of a {@link QueueRunner}'s queue thread: it owns the {@link QueueClient} (BullMQ and
 * Redis are asynchronous) while the runner's thread waits synchronously. Every request from
 * the runner gets exactly one reply on the port, after which the shared counter is bumped and
 * notified; the runner blocks on that counter (Atomics.wait), as the worker pool does.
 * @module
 */
import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { toPlain } from "../pool/portable.js";
import { QueueClient } from "./queue-client.js";
import { UNSOLICITED, type QueueReply, type QueueRequest, type QueueThreadData } from "./queue-protocol.js";
import { redactSettings } from "./redis-url.js";

const data = workerData as QueueThreadData;
const control = new Int32Array(data.control);
const port = data.port;

function reply(message: QueueReply, id = UNSOLICITED): void {
  port.postMessage({ ...message, id });
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
}

const failure = (e: unknown): QueueReply => ({
  kind: "error",
  message: redactSettings(e instanceof Error ? e.message : String(e), data.settings.redis),
  ...(typeof (e as { code?: unknown })?.code === "string" ? { code: (e as { code: string }).code } : {}),
});

// Straight to the file descriptor: the runner's thread is blocked, so console output, which
// goes through it, would appear only after the batch.
const warn = (line: string): void => {
  if (!data.quiet) writeSync(2, `arbor queue: ${line}\n`);
};

// Nothing may end this thread without a reply: the runner would wait forever.
process.on("uncaughtException", (e) => reply(failure(e)));
process.on("unhandledRejection", (e) => reply(failure(e)));

let client: QueueClient | undefined;
try {
  client = await QueueClient.connect(data.settings, data.connectTimeoutMs, warn);
  reply({ kind: "ready" });
} catch (e) {
  reply(failure(e));
  port.close();
}

if (client !== undefined) {
  const c = client;
  port.on("message", async (request: QueueRequest & { id: number }) => {
    try {
      if (request.kind === "batch") {
        const results = await c.runBatch(request.jobs, new Map(request.newBlobs), request.hashes);
        reply({ kind: "results", results: [...results].map(([job, value]) => [job, toPlain(value)]), counts: { ...c.counts } }, request.id);
      } else if (request.kind === "workers") {
        reply({ kind: "workers", count: await c.workerCount() }, request.id);
      } else {
        await c.close();
        reply({ kind: "closed" }, request.id);
        port.close();
      }
    } catch (e) {
      reply(failure(e), request.id);
    }
  });
}
