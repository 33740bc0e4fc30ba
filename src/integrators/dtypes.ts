import { promoteTypes, type DType } from "../linalg/dtype.js";
import type { Tensor } from "../linalg/tensor.js";

/** The working dtype of the integrators for some tensors: c128 if any is complex, else f64. */
export function workDType(...ts: Tensor[]): "f64" | "c128" {
  return ts.reduce<DType>((d, t) => promoteTypes(d, t.dtype), "f64") === "c128" ? "c128" : "f64";
}

/** `t` in dtype `d` (no copy when it already is). */
export function as(t: Tensor, d: "f64" | "c128"): Tensor {
  return t.dtype === d ? t : t.astype(d);
}
