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

/** Shapes that do not fit: mismatched contraction axes, wrong rank, bad dimensions. */
export class ShapeError extends ArborError {
  constructor(message: string) {
    super("E_SHAPE", message);
  }
}

/** An unknown dtype, or a dtype an operation does not support. */
export class DTypeError extends ArborError {
  constructor(message: string) {
    super("E_DTYPE", message);
  }
}

/** NaN or ±Infinity where finite numbers are required (decompositions, solvers). */
export class NonFiniteError extends ArborError {
  constructor(message: string) {
    super("E_NONFINITE", message);
  }
}

/** An option or argument with an invalid value (unknown option, negative tolerance, …). */
export class ArgumentError extends ArborError {
  constructor(message: string) {
    super("E_ARGUMENT", message);
  }
}

/** A file or byte stream that is malformed, truncated or of an unsupported format. */
export class FormatError extends ArborError {
  constructor(message: string) {
    super("E_FORMAT", message);
  }
}

/** An iterative method that did not reach its tolerance within its iteration budget. */
export class ConvergenceError extends ArborError {
  constructor(message: string) {
    super("E_CONVERGENCE", message);
  }
}
