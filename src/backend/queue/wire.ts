/**
 * Task payloads and results as JSON, the form BullMQ stores: plain data passes as is, every
 * number exactly (non-finite numbers and −0, which JSON would lose, as `{ $number }`), and each
 * tensor as a reference the caller chooses — a blob hash in payloads (the target is shared by
 * every job), its bytes in base64 in results (cores are each job's own). Bit-exact both ways,
 * so a result from a remote worker equals the in-process one.
 * @module
 */
import { FormatError } from "../../errors.js";
import { DTYPES, type DType } from "../../linalg/dtype.js";
import { Tensor } from "../../linalg/tensor.js";
import { sha256Hex } from "./blob.js";

/** A tensor in a payload: the hash of its blob. */
export interface BlobRef {
  $blob: string;
}

/** A tensor in a result: dtype, shape and the storage's bytes in base64. */
export interface InlineTensor {
  $tensor: { dtype: DType; shape: number[]; data: string };
}

/** A number JSON cannot carry. */
interface SpecialNumber {
  $number: "NaN" | "Infinity" | "-Infinity" | "-0";
}

const special = (x: number): SpecialNumber["$number"] | undefined =>
  Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : Object.is(x, -0) ? "-0" : undefined;

/**
 * `value` as JSON-safe data, each tensor replaced by `ref(tensor)`.
 *
 * @throws {@link FormatError} naming the path of anything else (functions, class instances,
 * typed arrays outside tensors, keys that begin with `$`, which are the codec's own).
 */
export function toWire(value: unknown, ref: (t: Tensor) => unknown, path = "payload"): unknown {
  if (value instanceof Tensor) return ref(value);
  if (typeof value === "number") {
    const s = special(value);
    return s === undefined ? value : { $number: s };
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((e, i) => toWire(e, ref, `${path}[${i}]`));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("$")) throw new FormatError(`${path}.${k}: keys beginning with $ cannot be sent through the queue`);
      if (v !== undefined) out[k] = toWire(v, ref, `${path}.${k}`);
    }
    return out;
  }
  throw new FormatError(`${path} is ${value === undefined ? "undefined" : typeof value === "function" ? "a function" : Object.prototype.toString.call(value)}, which cannot be sent through the queue`);
}

/**
 * Inverse of {@link toWire}: `resolve` turns each `{ $blob }` or `{ $tensor }` into its tensor.
 *
 * @throws {@link FormatError} naming the path of a malformed reference or number.
 */
export function fromWire(value: unknown, resolve: (ref: BlobRef | InlineTensor, path: string) => Tensor, path = "payload"): unknown {
  if (Array.isArray(value)) return value.map((e, i) => fromWire(e, resolve, `${path}[${i}]`));
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean" || value === null) return value;
    throw new FormatError(`${path} is ${typeof value}, which JSON does not carry`);
  }
  const o = value as Record<string, unknown>;
  if ("$blob" in o || "$tensor" in o) return resolve(o as unknown as BlobRef | InlineTensor, path);
  if ("$number" in o) {
    const table: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };
    const n = table[String(o.$number)];
    if (n === undefined || Object.keys(o).length !== 1) throw new FormatError(`${path}: ${JSON.stringify(o)} is not a number`);
    return n;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = fromWire(v, resolve, `${path}.${k}`);
  return out;
}

/** A result tensor as {@link InlineTensor}. */
export function inlineTensor(t: Tensor): InlineTensor {
  return { $tensor: { dtype: t.dtype, shape: t.shape.slice(), data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("base64") } };
}

/**
 * The tensor of an {@link InlineTensor}.
 *
 * @throws {@link FormatError} for anything else (a `{ $blob }` where a result holds bytes, a
 * bad dtype, shape or length).
 */
export function tensorFromInline(ref: BlobRef | InlineTensor, path: string): Tensor {
  const t = (ref as Partial<InlineTensor>).$tensor;
  if (t === null || typeof t !== "object" || typeof t.data !== "string" || !DTYPES.includes(t.dtype) || !Array.isArray(t.shape)) {
    throw new FormatError(`${path}: ${JSON.stringify(ref).slice(0, 80)} is not a tensor`);
  }
  const bytes = Buffer.from(t.data, "base64");
  const word = t.dtype === "f32" ? 4 : 8;
  if (bytes.length % word !== 0) throw new FormatError(`${path}: ${bytes.length} bytes of ${t.dtype} storage`);
  // Copied into fresh storage, which is aligned whatever Buffer's pool offset was.
  const data = t.dtype === "f32" ? new Float32Array(bytes.length / 4) : new Float64Array(bytes.length / 8);
  new Uint8Array(data.buffer).set(bytes);
  try {
    return new Tensor(t.dtype, t.shape, data as never);
  } catch (e) {
    throw new FormatError(`${path}: ${(e as Error).message}`);
  }
}

/** JSON with object keys sorted, so that equal values give equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * A job's id: its name and the SHA-256 of its canonical data. Equal jobs have equal ids, so
 * adding a job again is a no-op in BullMQ and its result, once there, is found by any later
 * run. Colons are not allowed in BullMQ's ids, so the name's slashes become dashes.
 *
 * @example
 * ```ts
 * const a = queueJobId("search/evaluate", { arbor: "0.1.0", payload: { seed: 1, dims: [3, 3] } });
 * console.assert(a === queueJobId("search/evaluate", { payload: { dims: [3, 3], seed: 1 }, arbor: "0.1.0" }));
 * console.assert(a.startsWith("search-evaluate-") && a !== queueJobId("search/evaluate", { arbor: "0.1.0", payload: { seed: 2, dims: [3, 3] } }));
 * ```
 */
export function queueJobId(name: string, data: unknown): string {
  return `${name.replace(/[^A-Za-z0-9_-]/g, "-")}-${sha256Hex(`${name}\n${canonicalJson(data)}`)}`;
}
