/**
 * The worker thread of a GPU backend: owns one {@link GpuEngine} (gpu.js, and in `gpu` mode the
 * WebGPU device) and answers the requests of ./worker-backend.ts, one at a time. Each reply is
 * posted on the port, then the shared flag is raised and notified — the calling thread sleeps in
 * `Atomics.wait` on that flag and takes the reply with `receiveMessageOnPort`, which is how an
 * asynchronous device (WebGPU's readback is a Promise) sits behind a synchronous interface.
 * @module
 */
import { workerData, type MessagePort } from "node:worker_threads";
import { GpuEngine, type EngineOptions } from "./engine.js";
import type { Reply, Request } from "./protocol.js";

const { port, flag, options } = workerData as { port: MessagePort; flag: Int32Array; options: EngineOptions };

let engine: GpuEngine | undefined;

function reply(message: Reply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

async function serve(req: Request): Promise<void> {
  try {
    if (req.op === "open") {
      engine = await GpuEngine.open(options);
      return reply({ ok: true, value: engine.info });
    }
    if (engine === undefined) throw new Error("gpu worker: the engine is not open");
    switch (req.op) {
      case "upload":
        engine.upload(req.h, req.data);
        return reply({ ok: true, value: null });
      case "zeros":
        engine.zeros(req.h, req.length);
        return reply({ ok: true, value: null });
      case "write":
        engine.write(req.h, req.data, req.offset);
        return reply({ ok: true, value: null });
      case "read": {
        const data = await engine.read(req.h, req.offset, req.length);
        return reply({ ok: true, value: data }, [data.buffer as ArrayBuffer]);
      }
      case "free":
        engine.free(req.h);
        return reply({ ok: true, value: null });
      case "gemm":
        await engine.gemm(req.spec);
        return reply({ ok: true, value: null });
      case "batched":
        await engine.batched(req.spec);
        return reply({ ok: true, value: null });
      case "sliceNormal": {
        const r = await engine.sliceNormal(req.spec);
        return reply({ ok: true, value: r }, [r.gram.buffer as ArrayBuffer, r.rhs.buffer as ArrayBuffer]);
      }
      case "leastSquaresNormal": {
        const r = await engine.leastSquaresNormal(req.B, req.X, req.rows, req.cols, req.n);
        return reply({ ok: true, value: r }, [r.gram.buffer as ArrayBuffer, r.rhs.buffer as ArrayBuffer]);
      }
      case "finish":
        await engine.finish();
        return reply({ ok: true, value: null });
      case "compileTiled":
        return reply({ ok: true, value: await engine.compileTiled(req.tiling, req.transA, req.transB) });
      case "dispose":
        await engine.dispose();
        return reply({ ok: true, value: null });
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    reply({ ok: false, message: err?.message ?? String(e), code: err?.code });
  }
}

port.on("message", (req: Request) => void serve(req));
