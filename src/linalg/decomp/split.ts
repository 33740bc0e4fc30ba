import { ArgumentError } from "../../errors.js";
import { matmul } from "../matmul.js";
import { adjoint } from "../permute.js";
import { normalizeAxis } from "../shape.js";
import { Tensor } from "../tensor.js";
import { unfold } from "../unfold.js";
import { eigh } from "./eigh.js";
import { qr } from "./qr.js";
import { truncatedSvd } from "./svd.js";
import { resolveTruncation, truncationRank, type TruncationInfo, type TruncationOptions } from "./truncation.js";

/** Where the singular values go in a {@link split}. */
export type Absorb = "left" | "right" | "both" | "none";

/** Options of {@link split}: a registered method, where to absorb σ, and truncation. */
export interface SplitOptions extends TruncationOptions {
  /** A registered split method (default `"svd"`; built in: svd, qr, lq, eigh). */
  method?: string;
  /**
   * `"right"` (default): left factor has orthonormal columns, σ goes right (the gauge tree
   * orthonormalisation wants). `"left"`: the mirror. `"both"`: √σ on each side.
   * `"none"`: σ returned separately in `s`.
   */
  absorb?: Absorb;
}

/** A matrix factorisation M ≈ U·diag(s)·Vh (s omitted for QR-type splits, whose U·Vh is exact). */
export interface SplitFactors {
  U: Tensor;
  Vh: Tensor;
  s?: Float64Array;
  info?: TruncationInfo;
}

/** A split method: factorises a matrix, truncating if it can and was asked to. */
export type SplitDriver = (M: Tensor, options: TruncationOptions) => SplitFactors;

interface Registered {
  driver: SplitDriver;
  truncates: boolean;
}

const registry = new Map<string, Registered>();

/**
 * Adds a split method under `name`. `truncates` says whether it honours truncation options;
 * methods that do not reject them. Re-registering a name replaces it.
 *
 * @example
 * ```ts
 * registerSplit("svd-copy", (M, o) => { const r = truncatedSvd(M, o); return { U: r.U, Vh: r.Vh, s: r.s, info: r.info }; }, true);
 * console.assert(splitMethods().includes("svd-copy"));
 * ```
 */
export function registerSplit(name: string, driver: SplitDriver, truncates: boolean): void {
  if (typeof name !== "string" || name.length === 0) throw new ArgumentError("registerSplit: the name must be a non-empty string");
  registry.set(name, { driver, truncates });
}

/**
 * Names of the registered split methods.
 *
 * @example
 * ```ts
 * console.assert(["svd", "qr", "lq", "eigh"].every((m) => splitMethods().includes(m)));
 * ```
 */
export function splitMethods(): string[] {
  return [...registry.keys()];
}

registerSplit("svd", (M, o) => {
  const r = truncatedSvd(M, o);
  return { U: r.U, Vh: r.Vh, s: r.s, info: r.info };
}, true);

registerSplit("qr", (M) => {
  const { Q, R } = qr(M);
  return { U: Q!, Vh: R };
}, false);

registerSplit("lq", (M) => {
  // M = L·Q with Q having orthonormal rows: QR of Mᴴ = Q′R′ gives M = R′ᴴ·Q′ᴴ.
  const { Q, R } = qr(adjoint(M));
  return { U: adjoint(R), Vh: adjoint(Q!) };
}, false);

registerSplit("eigh", (M, o) => {
  // Gram route: M·Mᴴ = U·diag(σ²)·Uᴴ, Vh = diag(1/σ)·Uᴴ·M. Twice as fast for wide M, but
  // singular values below √ε·σ_max lose all accuracy: use it only with a tolerance above that.
  const gram = matmul(M, M, { adjointB: true });
  const { values, vectors } = eigh(gram, { hermitianTol: 1e-8 });
  const n = values.length;
  const sigma = Float64Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(values[n - 1 - i]!, 0)));
  const info = truncationRank(sigma, o);
  const r = info.rank;
  const w = M.dtype === "c128" ? 2 : 1;
  const U = new Tensor(vectors.dtype, [n, r]);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < r; j++) for (let q = 0; q < w; q++) U.data[w * (i * r + j) + q] = vectors.data[w * (i * n + (n - 1 - j)) + q]!;
  const Vh = matmul(U, M, { adjointA: true });
  const cols = M.shape[1]!;
  for (let j = 0; j < r; j++) {
    const inv = sigma[j]! > 0 ? 1 / sigma[j]! : 0;
    for (let c = 0; c < w * cols; c++) Vh.data[w * j * cols + c] = Vh.data[w * j * cols + c]! * inv;
  }
  return { U, Vh, s: sigma.slice(0, r), info };
}, true);

/** Result of {@link split}: t ≈ contract(left, right) over the new bond (last axis of left, first of right). */
export interface SplitResult {
  left: Tensor;
  right: Tensor;
  /** Singular values of the bond (svd/eigh methods); with absorb "none" they are in neither factor. */
  s?: Float64Array;
  info?: TruncationInfo;
}

function scaleColumns(t: Tensor, f: ArrayLike<number>): Tensor {
  const [r, c] = [t.shape[0]!, t.shape[1]!];
  const out = t.clone();
  const w = t.dtype === "c128" ? 2 : 1;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) for (let q = 0; q < w; q++) out.data[w * (i * c + j) + q] = out.data[w * (i * c + j) + q]! * f[j]!;
  return out;
}

function scaleRows(t: Tensor, f: ArrayLike<number>): Tensor {
  const [r, c] = [t.shape[0]!, t.shape[1]!];
  const out = t.clone();
  const w = t.dtype === "c128" ? 2 : 1;
  for (let i = 0; i < r; i++) for (let j = 0; j < w * c; j++) out.data[w * i * c + j] = out.data[w * i * c + j]! * f[i]!;
  return out;
}

/**
 * Splits a tensor into two across a new bond: the axes `leftAxes` (in that order) go to the
 * left factor, the others (in order) to the right, so that `t ≈ left ×_bond right` with
 * `left.shape = [...leftDims, r]` and `right.shape = [r, ...rightDims]`. The method comes
 * from a registry (quimb's split drivers); truncation options apply to methods that truncate.
 *
 * @example
 * ```ts
 * const t = randn([3, 4, 5], 2);
 * const { left, right, info } = split(t, [0, 2], { maxRank: 3 }); // a 15×4 unfolding
 * console.assert(left.shape.join() === "3,5,3" && right.shape.join() === "3,4");
 * console.assert(info!.rank === 3 && info!.limitedBy === "maxRank");
 * ```
 */
export function split(t: Tensor, leftAxes: readonly number[], options: SplitOptions = {}): SplitResult {
  const { method = "svd", absorb = "right", ...truncation } = options;
  const entry = registry.get(method);
  if (entry === undefined) throw new ArgumentError(`split: unknown method "${method}"; registered: ${splitMethods().join(", ")}`);
  if (!["left", "right", "both", "none"].includes(absorb)) throw new ArgumentError(`split: absorb must be left, right, both or none, got ${JSON.stringify(absorb)}`);
  resolveTruncation(truncation);
  if (!entry.truncates && Object.values(truncation).some((v) => v !== undefined)) {
    throw new ArgumentError(`split: method "${method}" does not truncate; drop the truncation options or use "svd"`);
  }
  const rows = leftAxes.map((a) => normalizeAxis(a, t.ndim, "split axis"));
  const cols = t.shape.map((_, i) => i).filter((i) => !rows.includes(i));
  const M = unfold(t, rows);
  const f = entry.driver(M, truncation);
  let { U, Vh } = f;
  if (f.s !== undefined && absorb !== "none") {
    if (absorb === "left") U = scaleColumns(U, f.s);
    else if (absorb === "right") Vh = scaleRows(Vh, f.s);
    else {
      const root = Float64Array.from(f.s, Math.sqrt);
      U = scaleColumns(U, root);
      Vh = scaleRows(Vh, root);
    }
  }
  const r = U.shape[1]!;
  return {
    left: U.reshape([...rows.map((i) => t.shape[i]!), r]),
    right: Vh.reshape([r, ...cols.map((i) => t.shape[i]!)]),
    s: f.s,
    info: f.info,
  };
}

