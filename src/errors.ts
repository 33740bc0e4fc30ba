/**
 * Errors thrown by arbor. Every error names what was wrong and the shapes, dtypes or values
 * involved, and carries a stable `code` that callers can test instead of parsing messages.
 *
 * @example
 * ```ts
 * try { matmul(zeros([2, 3]), zeros([2, 3])); }
 * catch (e) { console.assert(e instanceof ShapeError && e.code === "E_SHAPE"); }
 * ```
 */
export class ArborError extends Error {
  /** A stable machine-readable code such as `"E_SHAPE"`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Shapes that do not fit: mismatched contraction axes, wrong rank, bad dimensions.
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { zeros([2, -1]); } catch (e) { caught = e; }
 * console.assert(caught instanceof ShapeError && (caught as ShapeError).code === "E_SHAPE");
 * ```
 */
export class ShapeError extends ArborError {
  constructor(message: string) {
    super("E_SHAPE", message);
  }
}

/**
 * An unknown dtype, or a dtype an operation does not support.
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { tensor([{ re: 1, im: 1 }]).astype("f64"); } catch (e) { caught = e; }
 * console.assert(caught instanceof DTypeError);
 * ```
 */
export class DTypeError extends ArborError {
  constructor(message: string) {
    super("E_DTYPE", message);
  }
}

/**
 * NaN or ±Infinity where finite numbers are required (decompositions, solvers).
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { svd(tensor([[1, NaN]])); } catch (e) { caught = e; }
 * console.assert(caught instanceof NonFiniteError && /svd/.test((caught as Error).message));
 * ```
 */
export class NonFiniteError extends ArborError {
  constructor(message: string) {
    super("E_NONFINITE", message);
  }
}

/**
 * An option or argument with an invalid value (unknown option, negative tolerance, …).
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { truncationRank([1], { tol: -1 }); } catch (e) { caught = e; }
 * console.assert(caught instanceof ArgumentError);
 * ```
 */
export class ArgumentError extends ArborError {
  constructor(message: string) {
    super("E_ARGUMENT", message);
  }
}

/**
 * A file or byte stream that is malformed, truncated or of an unsupported format.
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { decodeNpy(new Uint8Array([1, 2, 3])); } catch (e) { caught = e; }
 * console.assert(caught instanceof FormatError && (caught as FormatError).code === "E_FORMAT");
 * ```
 */
export class FormatError extends ArborError {
  constructor(message: string) {
    super("E_FORMAT", message);
  }
}

/**
 * An iterative method that did not reach its tolerance within its iteration budget.
 *
 * @example
 * ```ts
 * const e = new ConvergenceError("3 of 10 eigenvalues did not converge");
 * console.assert(e instanceof ArborError && e.code === "E_CONVERGENCE");
 * ```
 */
export class ConvergenceError extends ArborError {
  constructor(message: string) {
    super("E_CONVERGENCE", message);
  }
}
