import type { Complex } from "./dtype.js";

/**
 * Small helpers for complex scalars `{ re, im }`. Tensor data stays in typed arrays; these are
 * for the scalars that decompositions and users pass around.
 *
 * @example
 * ```ts
 * const z = cmul(complex(0, 1), complex(0, 1)); // i·i
 * console.assert(z.re === -1 && z.im === 0);
 * ```
 */
export function complex(re: number, im = 0): Complex {
  return { re, im };
}

/** Whether `x` looks like a complex scalar `{ re, im }` with numeric parts. */
export function isComplexScalar(x: unknown): x is Complex {
  return typeof x === "object" && x !== null && typeof (x as Complex).re === "number" && typeof (x as Complex).im === "number";
}

/** Promotes a real number or complex scalar to a complex scalar. */
export function toComplex(x: number | Complex): Complex {
  return typeof x === "number" ? { re: x, im: 0 } : x;
}

/**
 * a + b
 *
 * @example
 * ```ts
 * const z = cadd(complex(1, 2), complex(3, -2));
 * console.assert(z.re === 4 && z.im === 0);
 * ```
 */
export function cadd(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

/**
 * a − b
 *
 * @example
 * ```ts
 * console.assert(csub(complex(1, 2), complex(1, 2)).re === 0);
 * ```
 */
export function csub(a: Complex, b: Complex): Complex {
  return { re: a.re - b.re, im: a.im - b.im };
}

/**
 * a · b
 *
 * @example
 * ```ts
 * const z = cmul(complex(1, 1), complex(1, -1)); // (1 + i)(1 − i) = 2
 * console.assert(z.re === 2 && z.im === 0);
 * ```
 */
export function cmul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

/**
 * a / b (Smith's algorithm, no spurious overflow).
 *
 * @example
 * ```ts
 * const z = cdiv(complex(1e300, 1e300), complex(1e300, 1e300));
 * console.assert(z.re === 1 && z.im === 0);
 * ```
 */
export function cdiv(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}

/**
 * Complex conjugate.
 *
 * @example
 * ```ts
 * console.assert(cconj(complex(1, 2)).im === -2);
 * ```
 */
export function cconj(a: Complex): Complex {
  return { re: a.re, im: -a.im };
}

/**
 * |a| without overflow.
 *
 * @example
 * ```ts
 * console.assert(cabs(complex(3, 4)) === 5 && cabs(complex(3e300, 4e300)) > 4e300);
 * ```
 */
export function cabs(a: Complex): number {
  return Math.hypot(a.re, a.im);
}

/**
 * e^a
 *
 * @example
 * ```ts
 * const z = cexp(complex(0, Math.PI)); // e^{iπ} = −1
 * console.assert(Math.abs(z.re + 1) < 1e-15 && Math.abs(z.im) < 1e-15);
 * ```
 */
export function cexp(a: Complex): Complex {
  const m = Math.exp(a.re);
  return { re: m * Math.cos(a.im), im: m * Math.sin(a.im) };
}

/** Whether both parts are finite. */
export function cfinite(a: Complex): boolean {
  return Number.isFinite(a.re) && Number.isFinite(a.im);
}
