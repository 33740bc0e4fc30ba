/**
 * Problem parameters: their declared types, defaults and ranges, and the checked conversion of
 * user overrides (`--param key=value` strings or library values) into values a problem uses.
 * @module
 */
import { createRequire } from "node:module";
import type { MathNode } from "mathjs";
import { ArgumentError } from "../errors.js";

/** A number (real), optionally bounded. */
export interface NumberParameter {
  type: "number";
  default: number;
  description: string;
  /** Unit shown by `arbor info`, e.g. "1/time". */
  unit?: string;
  min?: number;
  max?: number;
  /** Whether `min` (`max`) itself is allowed (default true). */
  minInclusive?: boolean;
  maxInclusive?: boolean;
}

/** A whole number, optionally bounded (bounds inclusive). */
export interface IntegerParameter {
  type: "integer";
  default: number;
  description: string;
  unit?: string;
  min?: number;
  max?: number;
}

/** true/false (on the command line: true, false, 1, 0, yes, no). */
export interface BooleanParameter {
  type: "boolean";
  default: boolean;
  description: string;
}

/** One of a fixed set of strings. */
export interface ChoiceParameter {
  type: "choice";
  default: string;
  choices: readonly string[];
  description: string;
}

/**
 * A mathjs expression in the named variables, such as `0.5*x^2 + 0.1*x^4`, turned into a
 * function of those variables (in their order) that returns a finite real number.
 */
export interface ExpressionParameter {
  type: "expression";
  default: string;
  /** The variables the expression may use, e.g. ["x"]; any other free symbol is an error. */
  variables: readonly string[];
  description: string;
}

/** The declaration of one parameter. */
export type ParameterSpec = NumberParameter | IntegerParameter | BooleanParameter | ChoiceParameter | ExpressionParameter;

/** A compiled expression parameter: the function and the text it came from. */
export interface Expression {
  (...args: number[]): number;
  readonly source: string;
}

/** The value type a spec produces. */
export type ParameterValue<S extends ParameterSpec> = S extends ExpressionParameter ? Expression
  : S extends BooleanParameter ? boolean
  : S extends ChoiceParameter ? string
  : number;

/** Values for every parameter of a declaration. */
export type ParameterValues<P extends Record<string, ParameterSpec>> = { [K in keyof P]: ParameterValue<P[K]> };

/** An override as the user gave it: a string from the command line or a typed value. */
export type ParameterInput = string | number | boolean;

const TYPES = ["number", "integer", "boolean", "choice", "expression"];

/**
 * Checks a problem's parameter declarations (a plugin author's mistakes get a clear message).
 *
 * @throws {@link ArgumentError} naming the parameter and what is wrong.
 * @example
 * ```ts
 * checkParameterSpecs({ sites: { type: "integer", default: 8, min: 2, description: "spins" } }, "ising");
 * let threw = false;
 * try { checkParameterSpecs({ n: { type: "integer", default: 1, min: 2, description: "" } }, "p"); } catch { threw = true; }
 * console.assert(threw);
 * ```
 */
export function checkParameterSpecs(specs: Record<string, ParameterSpec>, problem: string): void {
  if (specs === null || typeof specs !== "object" || Array.isArray(specs)) throw new ArgumentError(`problem ${problem}: parameters must be an object of declarations`);
  for (const [name, spec] of Object.entries(specs)) {
    const where = `problem ${problem}, parameter ${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ArgumentError(`${where}: a name must be an identifier`);
    if (spec === null || typeof spec !== "object" || !TYPES.includes((spec as ParameterSpec).type)) {
      throw new ArgumentError(`${where}: type must be one of ${TYPES.join(", ")}`);
    }
    if (typeof spec.description !== "string") throw new ArgumentError(`${where}: description must be a string`);
    // The default must itself pass the checks an override gets.
    try {
      convertParameter(spec, spec.default, name);
    } catch (e) {
      throw new ArgumentError(`${where}: the default is invalid: ${(e as Error).message}`);
    }
  }
}

/**
 * Converts one value (a command-line string or a typed value) to the parameter's type and
 * checks it against the declaration.
 *
 * @throws {@link ArgumentError} saying what was expected.
 * @example
 * ```ts
 * const spec = { type: "number", default: 1, min: 0, description: "field" } as const;
 * console.assert(convertParameter(spec, "2.5", "omega") === 2.5);
 * const v = convertParameter({ type: "expression", default: "x", variables: ["x"], description: "" }, "x^2 + 1", "V") as Expression;
 * console.assert(v(3) === 10 && v.source === "x^2 + 1");
 * ```
 */
export function convertParameter(spec: ParameterSpec, input: ParameterInput, name: string): number | boolean | string | Expression {
  const bad = (what: string): never => {
    throw new ArgumentError(`parameter ${name}: ${what}, got ${JSON.stringify(input)}`);
  };
  switch (spec.type) {
    case "number":
    case "integer": {
      const x = typeof input === "number" ? input : typeof input === "string" && input.trim() !== "" ? Number(input) : NaN;
      if (!Number.isFinite(x)) bad("expected a finite number");
      if (spec.type === "integer" && !Number.isSafeInteger(x)) bad("expected a whole number");
      const minOk = spec.min === undefined || (spec.type === "number" && spec.minInclusive === false ? x > spec.min : x >= spec.min);
      const maxOk = spec.max === undefined || (spec.type === "number" && spec.maxInclusive === false ? x < spec.max : x <= spec.max);
      if (!minOk || !maxOk) bad(`expected a value in ${rangeText(spec)}`);
      return x;
    }
    case "boolean": {
      if (typeof input === "boolean") return input;
      const s = String(input).toLowerCase();
      if (["true", "1", "yes"].includes(s)) return true;
      if (["false", "0", "no"].includes(s)) return false;
      return bad("expected true or false");
    }
    case "choice": {
      if (typeof input !== "string" || !spec.choices.includes(input)) bad(`expected one of ${spec.choices.join(", ")}`);
      return input as string;
    }
    case "expression": {
      if (typeof input === "number") return compileParameterExpression(String(input), spec.variables, name);
      if (typeof input !== "string") bad("expected an expression");
      return compileParameterExpression(input as string, spec.variables, name);
    }
  }
}

/**
 * The declared range as text: [0, ∞), (0, 1], …
 *
 * @example
 * ```ts
 * console.assert(rangeText({ type: "number", default: 1, min: 0, minInclusive: false, description: "" }) === "(0, ∞)");
 * ```
 */
export function rangeText(spec: NumberParameter | IntegerParameter): string {
  const lo = spec.min === undefined ? "(−∞" : `${spec.type === "number" && spec.minInclusive === false ? "(" : "["}${spec.min}`;
  const hi = spec.max === undefined ? "∞)" : `${spec.max}${spec.type === "number" && spec.maxInclusive === false ? ")" : "]"}`;
  return `${lo}, ${hi}`;
}

// mathjs is loaded on the first expression, not with the module: it takes most of a second to
// load, which every CLI start (even `arbor --version`) would otherwise pay.
let mathjs: typeof import("mathjs") | undefined;
function parseExpression(source: string): MathNode {
  mathjs ??= createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
  return mathjs.parse(source);
}

// mathjs constants and functions an expression may use besides its variables.
const ALLOWED_SYMBOLS = new Set(["pi", "e", "E", "PI", "tau", "Infinity"]);

function compileParameterExpression(source: string, variables: readonly string[], name: string): Expression {
  let node: MathNode;
  try {
    node = parseExpression(source);
  } catch (e) {
    throw new ArgumentError(`parameter ${name}: invalid expression ${JSON.stringify(source)}: ${(e as Error).message}`);
  }
  const unknown = new Set<string>();
  node.traverse((n, _path, parent) => {
    if ((n as { isSymbolNode?: boolean }).isSymbolNode) {
      const symbol = (n as unknown as { name: string }).name;
      const isFunctionName = (parent as { isFunctionNode?: boolean } | null)?.isFunctionNode && (parent as unknown as { fn: MathNode }).fn === n;
      if (!isFunctionName && !variables.includes(symbol) && !ALLOWED_SYMBOLS.has(symbol)) unknown.add(symbol);
    }
    if ((n as { isAssignmentNode?: boolean }).isAssignmentNode || (n as { isFunctionAssignmentNode?: boolean }).isFunctionAssignmentNode) {
      unknown.add("(assignment)");
    }
  });
  if (unknown.size > 0) {
    const allowed = variables.length > 0 ? `it may use ${variables.join(", ")}` : "it may not use variables";
    throw new ArgumentError(`parameter ${name}: expression ${JSON.stringify(source)} uses ${[...unknown].join(", ")}; ${allowed}`);
  }
  const code = node.compile();
  const f = (...args: number[]): number => {
    const scope: Record<string, number> = {};
    variables.forEach((v, i) => (scope[v] = args[i]!));
    let value: unknown;
    try {
      value = code.evaluate(scope);
    } catch (e) {
      throw new ArgumentError(`parameter ${name}: evaluating ${JSON.stringify(source)}: ${(e as Error).message}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ArgumentError(`parameter ${name}: ${JSON.stringify(source)} is not a finite real number at ${variables.map((v, i) => `${v} = ${args[i]}`).join(", ") || "no arguments"} (got ${String(value)})`);
    }
    return value;
  };
  return Object.assign(f, { source }) as Expression;
}

/**
 * Resolves a problem's parameters: every declared default, replaced by the overrides given.
 *
 * @throws {@link ArgumentError} for an unknown name (with the known ones listed) or an invalid value.
 * @example
 * ```ts
 * const specs = { sites: { type: "integer", default: 8, min: 2, description: "spins" }, alpha: { type: "number", default: 1, description: "decay" } } as const;
 * const p = resolveParameters(specs, { sites: "16" }, "ising-lr");
 * console.assert(p.sites === 16 && p.alpha === 1);
 * ```
 */
export function resolveParameters<P extends Record<string, ParameterSpec>>(specs: P, overrides: Record<string, ParameterInput>, problem: string): ParameterValues<P> {
  const known = Object.keys(specs);
  for (const key of Object.keys(overrides)) {
    if (!Object.prototype.hasOwnProperty.call(specs, key)) {
      throw new ArgumentError(`problem ${problem} has no parameter ${JSON.stringify(key)}; its parameters: ${known.join(", ") || "(none)"}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = Object.prototype.hasOwnProperty.call(overrides, name) ? overrides[name]! : spec.default;
    try {
      out[name] = convertParameter(spec, given, name);
    } catch (e) {
      throw new ArgumentError(`problem ${problem}, ${(e as Error).message}`);
    }
  }
  return out as ParameterValues<P>;
}

/**
 * Splits `key=value` strings (the `--param` option) into an override record.
 *
 * @throws {@link ArgumentError} for an item without `=` or a key given twice.
 * @example
 * ```ts
 * const o = parseParameterAssignments(["sites=16", "V=0.5*x^2 + 0.1*x^4"]);
 * console.assert(o.sites === "16" && o.V === "0.5*x^2 + 0.1*x^4");
 * ```
 */
export function parseParameterAssignments(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf("=");
    if (at <= 0) throw new ArgumentError(`--param expects key=value, got ${JSON.stringify(item)}`);
    const key = item.slice(0, at).trim();
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new ArgumentError(`--param ${key} given twice`);
    out[key] = item.slice(at + 1).trim();
  }
  return out;
}

/**
 * The values as JSON can store them (expressions by their source text).
 *
 * @example
 * ```ts
 * const p = resolveParameters({ V: { type: "expression", default: "x^2", variables: ["x"], description: "potential" } }, {}, "demo");
 * console.assert(parameterRecord(p).V === "x^2");
 * ```
 */
export function parameterRecord(values: Record<string, unknown>): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === "function" ? (v as Expression).source : (v as number | boolean | string);
  return out;
}
