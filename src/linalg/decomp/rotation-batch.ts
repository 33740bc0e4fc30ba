import type { Arena } from "../../backend/cpu/arena.js";
import { countFlops } from "../../backend/cpu/flops.js";

/** Columns that rotations act on: `rows` elements of `w` doubles each, leading dimension `ld`. */
export interface VectorBlock {
  ptr: number;
  rows: number;
  ld: number;
  w: 1 | 2;
}

/** Exchanges columns i and j of a vector block (used when sorting eigen- or singular values). */
export function swapBlockColumns(arena: Arena, b: VectorBlock | undefined, i: number, j: number): void {
  if (b === undefined || i === j) return;
  const f = arena.f64;
  const len = b.w * b.rows;
  const pi = b.ptr + b.w * b.ld * i, pj = b.ptr + b.w * b.ld * j;
  for (let t = 0; t < len; t++) {
    const x = f[pi + t]!;
    f[pi + t] = f[pj + t]!;
    f[pj + t] = x;
  }
}

// Rotations held before they are applied: their cosines and sines (16 bytes each) are re-read
// for every 8-row chunk, so the batch is kept within L2 (128 KiB of rotations).
const BATCH_ROTATIONS = 8192;
const BATCH_SWEEPS = 1024;

/**
 * Collects the rotation sweeps of a QR-type iteration and applies them to the vectors in
 * batches. The iterations that produce the rotations never read the vectors, so deferring is
 * exact; applying a batch row chunk by row chunk keeps each chunk in L1 across sweeps (the
 * per-sweep version streamed all vectors through memory once per sweep, 5× slower for
 * complex 512×512 SVDs).
 */
export class RotationBatch {
  private readonly c: number;
  private readonly s: number;
  private readonly meta: number;
  private rotations = 0;
  private sweeps = 0;
  private current = 0;

  constructor(private readonly arena: Arena, private readonly block: VectorBlock | undefined) {
    this.c = arena.allocF64(BATCH_ROTATIONS);
    this.s = arena.allocF64(BATCH_ROTATIONS);
    this.meta = arena.allocF64(2 * BATCH_SWEEPS);
  }

  /** Starts a sweep of `count` rotations on columns first..first+count; returns false if no vectors. */
  begin(first: number, count: number, backward: boolean): void {
    if (this.block === undefined) return;
    if (this.rotations + count > BATCH_ROTATIONS || this.sweeps === BATCH_SWEEPS) this.flush();
    const ints = new Int32Array(this.arena.f64.buffer, 8 * this.meta + 16 * this.sweeps, 4);
    ints[0] = first;
    ints[1] = count;
    ints[2] = backward ? 1 : 0;
    ints[3] = this.rotations;
    this.current = this.rotations;
    this.rotations += count;
    this.sweeps++;
  }

  /** Sets rotation `pos` of the current sweep (acting on columns first+pos, first+pos+1). */
  set(pos: number, c: number, s: number): void {
    if (this.block === undefined) return;
    const f = this.arena.f64;
    f[this.c + this.current + pos] = c;
    f[this.s + this.current + pos] = s;
  }

  /** Applies every pending sweep. */
  flush(): void {
    const b = this.block;
    if (b === undefined || this.sweeps === 0) return;
    countFlops(6 * b.w * b.rows * this.rotations);
    this.arena.kernels.drotSweeps(b.w * b.rows, this.sweeps, 8 * this.meta, 8 * this.c, 8 * this.s, 8 * b.ptr, b.w * b.ld);
    this.rotations = 0;
    this.sweeps = 0;
  }
}
