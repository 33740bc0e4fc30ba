/**
 * A matrix-free inner solver for the slice least-squares problems of chain ALS (tensor trains
 * and rings): preconditioned conjugate gradients on the ridge normal equations of each slice,
 * with the operator applied from the cached interfaces instead of a Gram matrix.
 *
 * The direct solver ({@link SliceSystems}) forms each slice's R×R Gram matrix, R = r_{k−1}·r_k,
 * at O(R²) per sample, and factors it at O(R³) per slice; at rank 20 that is 160 000
 * multiply-adds per sample and 400² numbers per slice. Here one CG iteration costs about
 * 2·r₀·R per sample (the environment of a sample is never formed: ⟨e_s, X⟩ = Tr(P_s·X·Q_s) and
 * e_s·w accumulates as w·P_sᵀ·Q_sᵀ), the iteration is warm-started from the current slice, and
 * Jacobi preconditioning uses the Gram diagonal (one pass).
 *
 * Same problem as the direct solver: min ‖E·x − y‖² + δ‖x‖² with δ = ridge·trace(EᵀE)/R; a
 * slice no sample sees is set to zero, as the direct solver leaves it. Run to its tolerance, CG
 * reaches the direct solver's minimiser. ALS uses it inexactly, a few iterations per update
 * (`CG_ITERATIONS`): CG from the warm start lowers the slice's quadratic at every iteration, so
 * each update still lowers the regularised training error, and the sweeps reach the same fixed
 * point. Measured (ranks 8 and 20, trains 8⁶/10⁶, 2 shared cores): 5, 10 or 20 iterations took
 * the same number of sweeps as the direct solver, to the same error; at rank 12 a sweep costs
 * about the same either way, at rank 20 CG is twice as fast, and the gap grows as R.
 * Internal to src/completion.
 * @module
 */

/**
 * The interfaces of one chain position and how the samples group into its slices. The
 * interfaces are in slice order, as ChainAls keeps them: those of sample s = order[u] at
 * u·stride.
 */
export interface ChainSliceProblem {
  /** Left interfaces: P_s[c, a] at `P[u·stride + c·rl + a]` (r₀ × rl), s = order[u]. */
  readonly P: Float64Array;
  /** Right interfaces: Q_s[b, c] at `Q[u·stride + b·r₀ + c]` (rr × r₀), s = order[u]. */
  readonly Q: Float64Array;
  readonly stride: number;
  readonly rl: number;
  readonly rr: number;
  readonly r0: number;
  /** Samples slice by slice: slice j is `order[starts[j]] … order[starts[j + 1] − 1]`. */
  readonly order: Int32Array;
  readonly starts: Int32Array;
  /** The sample values. */
  readonly values: Float64Array;
}

/** Stopping rule of the inner CG. */
export interface SliceCgOptions {
  /** Stop when ‖residual‖ ≤ tolerance·‖Eᵀy‖ (default 1e-10). */
  tolerance?: number;
  /** At most this many iterations per slice (default 2·R + 10, past where exact CG ends). */
  maxIterations?: number;
}

/** What the inner solves of one core took. */
export interface SliceCgStats {
  /** CG iterations over all slices. */
  iterations: number;
  /** Slices that stopped at `maxIterations` before the tolerance. */
  unconverged: number;
  /** False if an iterate was not finite (the core is then unusable). */
  finite: boolean;
}

/**
 * Below this many parameters per slice (R = r_{k−1}·r_k, rank 16 inside a train) `"auto"`
 * keeps the direct solver: forming the Gram matrix uses the dense kernels, which run several
 * times faster per operation than CG's loops, and the two broke even near rank 12 (see the
 * module notes).
 */
export const CG_MIN_PARAMETERS = 256;

/** CG iterations per slice and ALS update (see the module notes). */
export const CG_ITERATIONS = 10;

/** Scratch vectors of length R, reused across slices and cores. */
class Work {
  readonly x: Float64Array;
  readonly r: Float64Array;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
  readonly diag: Float64Array;
  readonly t: Float64Array;
  constructor(R: number, r0: number, rl: number) {
    [this.x, this.r, this.z, this.p, this.ap, this.diag] = Array.from({ length: 6 }, () => new Float64Array(R));
    this.t = new Float64Array(rl * r0);
  }
}

/**
 * Solves every slice of one core in place: `core` (n × R, slice-major, row `a·rr + b`) holds
 * the warm start on entry and the solution on exit.
 */
export function solveChainSlicesCg(problem: ChainSliceProblem, core: Float64Array, ridge: number, options: SliceCgOptions = {}): SliceCgStats {
  const { rl, rr, r0, starts } = problem;
  const R = rl * rr, n = starts.length - 1;
  const tolerance = options.tolerance ?? 1e-10, maxIterations = options.maxIterations ?? 2 * R + 10;
  const w = new Work(R, r0, rl);
  const stats: SliceCgStats = { iterations: 0, unconverged: 0, finite: true };
  for (let j = 0; j < n; j++) {
    const slice = core.subarray(j * R, (j + 1) * R);
    if (starts[j + 1]! === starts[j]!) {
      slice.fill(0);
      continue;
    }
    const done = solveSlice(problem, j, slice, ridge, tolerance, maxIterations, w);
    stats.iterations += done.iterations;
    if (!done.converged) stats.unconverged++;
    for (let i = 0; i < R; i++) {
      if (!Number.isFinite(slice[i]!)) {
        stats.finite = false;
        return stats;
      }
    }
  }
  return stats;
}

function solveSlice(pr: ChainSliceProblem, j: number, slice: Float64Array, ridge: number, tolerance: number, maxIterations: number, w: Work): { iterations: number; converged: boolean } {
  const { rl, rr } = pr;
  const R = rl * rr;
  const { x, r, z, p, ap, diag } = w;
  // One pass: the right-hand side Eᵀy (into r) and the Gram diagonal.
  r.fill(0);
  diag.fill(0);
  accumulate(pr, j, undefined, r, diag, w);
  let trace = 0;
  for (let i = 0; i < R; i++) trace += diag[i]!;
  const delta = ridge * (trace / R || 1);
  let bNorm = 0;
  for (let i = 0; i < R; i++) bNorm += r[i]! * r[i]!;
  bNorm = Math.sqrt(bNorm);
  if (bNorm === 0) {
    slice.fill(0);
    return { iterations: 0, converged: true };
  }
  // r = b − (EᵀE + δ)x₀, from the warm start.
  x.set(slice);
  apply(pr, j, x, delta, ap, w);
  for (let i = 0; i < R; i++) r[i] = r[i]! - ap[i]!;
  // A zero diagonal entry (a direction no sample sees) gets the ridge alone; with no ridge the
  // preconditioner leaves it alone (its residual is zero: no sample moves it).
  const precondition = (i: number): number => {
    const d = diag[i]! + delta;
    return d > 0 ? 1 / d : 0;
  };
  for (let i = 0; i < R; i++) z[i] = r[i]! * precondition(i);
  p.set(z);
  let rz = dot(r, z, R);
  let iterations = 0, converged = false;
  for (; iterations < maxIterations; iterations++) {
    if (Math.sqrt(dot(r, r, R)) <= tolerance * bNorm) {
      converged = true;
      break;
    }
    apply(pr, j, p, delta, ap, w);
    const pAp = dot(p, ap, R);
    if (!(pAp > 0)) break; // p in the null space of a ridge-free singular system: nothing left to gain
    const alpha = rz / pAp;
    for (let i = 0; i < R; i++) {
      x[i] = x[i]! + alpha * p[i]!;
      r[i] = r[i]! - alpha * ap[i]!;
    }
    for (let i = 0; i < R; i++) z[i] = r[i]! * precondition(i);
    const rzNext = dot(r, z, R);
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < R; i++) p[i] = z[i]! + beta * p[i]!;
  }
  if (!converged && Math.sqrt(dot(r, r, R)) <= tolerance * bNorm) converged = true;
  slice.set(x);
  return { iterations, converged };
}

// out = (EᵀE + δ)·v over slice j's samples.
function apply(pr: ChainSliceProblem, j: number, v: Float64Array, delta: number, out: Float64Array, w: Work): void {
  const R = pr.rl * pr.rr;
  for (let i = 0; i < R; i++) out[i] = delta * v[i]!;
  accumulate(pr, j, v, out, undefined, w);
}

// Over slice j's samples s with environment e_s (e_s[a·rr + b] = Σ_c P_s[c, a]·Q_s[b, c]):
// with `v`, out += e_s·⟨e_s, v⟩; without it, out += e_s·y_s. With `diag`, diag += e_s².
function accumulate(pr: ChainSliceProblem, j: number, v: Float64Array | undefined, out: Float64Array, diag: Float64Array | undefined, w: Work): void {
  const { P, Q, stride, rl, rr, r0, order, starts, values } = pr;
  const t = w.t;
  for (let u = starts[j]!; u < starts[j + 1]!; u++) {
    const o = u * stride;
    let weight: number;
    if (v === undefined) weight = values[order[u]!]!;
    else if (r0 === 1) {
      // ⟨e_s, v⟩ = Σ_a P[a]·Σ_b v[a, b]·Q[b]
      weight = 0;
      for (let a = 0; a < rl; a++) {
        let sum = 0;
        for (let b = 0; b < rr; b++) sum += v[a * rr + b]! * Q[o + b]!;
        weight += P[o + a]! * sum;
      }
    } else {
      // t[a, c] = Σ_b v[a, b]·Q[b, c]; ⟨e_s, v⟩ = Σ_{c,a} P[c, a]·t[a, c]
      for (let a = 0; a < rl; a++) {
        for (let c = 0; c < r0; c++) {
          let sum = 0;
          for (let b = 0; b < rr; b++) sum += v[a * rr + b]! * Q[o + b * r0 + c]!;
          t[a * r0 + c] = sum;
        }
      }
      weight = 0;
      for (let c = 0; c < r0; c++) for (let a = 0; a < rl; a++) weight += P[o + c * rl + a]! * t[a * r0 + c]!;
    }
    if (r0 === 1) {
      for (let a = 0; a < rl; a++) {
        const pa = P[o + a]!, wp = weight * pa, row = a * rr;
        for (let b = 0; b < rr; b++) out[row + b] += wp * Q[o + b]!;
        if (diag !== undefined) for (let b = 0; b < rr; b++) diag[row + b] += (pa * Q[o + b]!) ** 2;
      }
    } else {
      for (let a = 0; a < rl; a++) {
        for (let b = 0; b < rr; b++) {
          let e = 0;
          for (let c = 0; c < r0; c++) e += P[o + c * rl + a]! * Q[o + b * r0 + c]!;
          out[a * rr + b] += weight * e;
          if (diag !== undefined) diag[a * rr + b] += e * e;
        }
      }
    }
  }
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i]! * b[i]!;
  return sum;
}
