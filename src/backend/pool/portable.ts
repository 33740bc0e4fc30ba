import { ArgumentError } from "../../errors.js";
import type { DType } from "../../linalg/dtype.js";
import { Tensor } from "../../linalg/tensor.js";

/*
 * Payloads that cross to worker threads: plain data (numbers, strings, booleans, null, arrays
 * and plain objects) and Tensors. Tensors are not serialised element by element: `packPayload`
 * copies every tensor's storage once into one SharedArrayBuffer and leaves a reference in its
 * place; `unpackPayload` in the worker wraps views of that buffer, so N workers read the same
 * memory and nothing is copied again. Results come back the other way through structured
 * clone (a memcpy of each typed array), never through JSON.
 */

/** Where a tensor lies in a packed buffer. */
interface TensorRef {
  readonly __arborTensor: true;
  dtype: DType;
  shape: number[];
  /** Offset in bytes and length in words of the storage. */
  offset: number;
  length: number;
}

/** A payload with its tensors moved into shared memory. */
export interface PackedPayload {
  buffer: SharedArrayBuffer;
  value: unknown;
}

function isTensorRef(x: unknown): x is TensorRef {
  return typeof x === "object" && x !== null && (x as TensorRef).__arborTensor === true;
}

function walk(x: unknown, onTensor: (t: Tensor) => unknown, path: string): unknown {
  if (x instanceof Tensor) return onTensor(x);
  if (x === null || typeof x === "number" || typeof x === "string" || typeof x === "boolean" || x === undefined) return x;
  if (Array.isArray(x)) return x.map((e, i) => walk(e, onTensor, `${path}[${i}]`));
  if (typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = walk(v, onTensor, `${path}.${k}`);
    return out;
  }
  throw new ArgumentError(`worker payload: ${path} is a ${typeof x === "function" ? "function" : Object.prototype.toString.call(x)}, which cannot be sent to a worker thread`);
}

const wordBytes = (dtype: DType): number => (dtype === "f32" ? 4 : 8);

/** Bytes of tensor storage in a payload. */
export function payloadBytes(value: unknown): number {
  let bytes = 0;
  walk(value, (t) => (bytes += t.data.length * wordBytes(t.dtype)), "payload");
  return bytes;
}

/**
 * Copies the tensors of `value` into one SharedArrayBuffer (8-byte aligned) and replaces each
 * by a reference.
 */
export function packPayload(value: unknown): PackedPayload {
  const tensors: Tensor[] = [];
  walk(value, (t) => tensors.push(t), "payload");
  let bytes = 0;
  for (const t of tensors) bytes += Math.ceil((t.data.length * wordBytes(t.dtype)) / 8) * 8;
  const buffer = new SharedArrayBuffer(Math.max(bytes, 8));
  let offset = 0;
  const packed = walk(value, (t) => {
    const ref: TensorRef = { __arborTensor: true, dtype: t.dtype, shape: t.shape.slice(), offset, length: t.data.length };
    const view = t.dtype === "f32" ? new Float32Array(buffer, offset, t.data.length) : new Float64Array(buffer, offset, t.data.length);
    view.set(t.data);
    offset += Math.ceil((t.data.length * wordBytes(t.dtype)) / 8) * 8;
    return ref;
  }, "payload");
  return { buffer, value: packed };
}

function unwalk(x: unknown, buffer: SharedArrayBuffer): unknown {
  if (isTensorRef(x)) {
    const data = x.dtype === "f32" ? new Float32Array(buffer, x.offset, x.length) : new Float64Array(buffer, x.offset, x.length);
    return new Tensor(x.dtype, x.shape, data as never);
  }
  if (Array.isArray(x)) return x.map((e) => unwalk(e, buffer));
  if (typeof x === "object" && x !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = unwalk(v, buffer);
    return out;
  }
  return x;
}

/**
 * The payload with its tensors as views of the shared buffer (read them, do not write).
 */
export function unpackPayload(packed: PackedPayload): unknown {
  return unwalk(packed.value, packed.buffer);
}

/** A tensor as plain data for structured clone (`{ dtype, shape, data }`). */
export interface PlainTensor {
  readonly __arborPlainTensor: true;
  dtype: DType;
  shape: number[];
  data: Float64Array | Float32Array;
}

/**
 * A result with its tensors as plain records, for postMessage (structured clone copies the
 * typed arrays; class instances would lose their prototype).
 */
export function toPlain(value: unknown): unknown {
  return walk(value, (t): PlainTensor => ({ __arborPlainTensor: true, dtype: t.dtype, shape: t.shape.slice(), data: t.data }), "result");
}

/**
 * Inverse of {@link toPlain}.
 */
export function fromPlain(value: unknown): unknown {
  if (typeof value === "object" && value !== null && (value as PlainTensor).__arborPlainTensor === true) {
    const p = value as PlainTensor;
    return new Tensor(p.dtype, p.shape, p.data as never);
  }
  if (Array.isArray(value)) return value.map(fromPlain);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromPlain(v);
    return out;
  }
  return value;
}
