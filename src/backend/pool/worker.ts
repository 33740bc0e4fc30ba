import { workerData, type MessagePort } from "node:worker_threads";
import { setNumThreads } from "../cpu/threads.js";
import { toPlain, unpackPayload, type PackedPayload } from "./portable.js";
import { runTask } from "./registry.js";

// Entry of a pool worker: imports the batch's task modules, then claims tasks from the shared
// counter until none are left, posting each result (or error) back, and finally counts itself
// done. See pool.ts for the protocol.

const NEXT = 0;
const DONE = 1;

interface Batch {
  control: SharedArrayBuffer;
  packed: PackedPayload;
  names: string[];
  modules: string[];
  /** Claim order (task indices). */
  order: number[];
}

setNumThreads(1);
const port = (workerData as { port: MessagePort }).port;
const imported = new Set<string>();

const describe = (e: unknown): { name: string; message: string; code?: string; stack?: string } =>
  e instanceof Error ? { name: e.name, message: e.message, stack: e.stack, ...("code" in e && typeof e.code === "string" ? { code: e.code } : {}) } : { name: "Error", message: String(e) };

port.on("message", async (batch: Batch) => {
  const control = new Int32Array(batch.control);
  try {
    for (const m of batch.modules) {
      if (!imported.has(m)) {
        await import(m);
        imported.add(m);
      }
    }
    const payloads = unpackPayload(batch.packed) as unknown[];
    for (;;) {
      const claimed = Atomics.add(control, NEXT, 1);
      if (claimed >= batch.names.length) break;
      const i = batch.order[claimed]!;
      try {
        port.postMessage({ i, result: toPlain(runTask(batch.names[i]!, payloads[i])) });
      } catch (e) {
        port.postMessage({ i, error: describe(e) });
      }
    }
  } catch (e) {
    port.postMessage({ fatal: describe(e) });
  } finally {
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
});
