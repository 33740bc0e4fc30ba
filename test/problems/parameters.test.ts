import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { checkParameterSpecs, convertParameter, parseParameterAssignments, resolveParameters, type Expression, type ParameterSpec } from "../../src/problems/parameters.js";

describe("parameter conversion", () => {
  it("round-trips every integer of the range through its command-line text, and refuses the rest", () => {
    const spec: ParameterSpec = { type: "integer", default: 5, min: -3, max: 40, description: "n" };
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
      if (n >= -3 && n <= 40) return convertParameter(spec, String(n), "n") === n;
      expect(() => convertParameter(spec, String(n), "n")).toThrow(/expected a value in \[-3, 40\]/);
      return true;
    }));
    expect(() => convertParameter(spec, "2.5", "n")).toThrow(/whole number/);
    expect(() => convertParameter(spec, "", "n")).toThrow(/finite number/);
  });

  it("honours open bounds of numbers and reads doubles exactly", () => {
    const spec: ParameterSpec = { type: "number", default: 1, min: 0, minInclusive: false, description: "rate" };
    fc.assert(fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => convertParameter(spec, String(x), "rate") === x));
    expect(() => convertParameter(spec, "0", "rate")).toThrow(/\(0, ∞\)/);
    expect(() => convertParameter(spec, "Infinity", "rate")).toThrow(/finite/);
    expect(() => convertParameter(spec, "1e400", "rate")).toThrow(/finite/);
  });

  it("reads booleans and choices", () => {
    const b: ParameterSpec = { type: "boolean", default: false, description: "" };
    expect(["true", "1", "yes", "false", "0", "no"].map((s) => convertParameter(b, s, "b"))).toEqual([true, true, true, false, false, false]);
    expect(() => convertParameter(b, "maybe", "b")).toThrow(/true or false/);
    const c: ParameterSpec = { type: "choice", default: "binary", choices: ["binary", "train"], description: "" };
    expect(convertParameter(c, "train", "tree")).toBe("train");
    expect(() => convertParameter(c, "star", "tree")).toThrow(/one of binary, train/);
  });

  it("compiles expressions in the declared variables and agrees with the same formula in JavaScript", () => {
    const spec: ParameterSpec = { type: "expression", default: "x", variables: ["x", "y"], description: "" };
    const V = convertParameter(spec, "0.5*x^2 + 0.1*x^4 - sin(pi*y) + exp(-abs(y))", "V") as Expression;
    fc.assert(fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), (x, y) => {
      const js = 0.5 * x ** 2 + 0.1 * x ** 4 - Math.sin(Math.PI * y) + Math.exp(-Math.abs(y));
      return Math.abs(V(x, y) - js) <= 1e-12 * Math.max(1, Math.abs(js));
    }));
  });

  it("refuses expressions with unknown symbols, syntax errors, assignments, or non-real values", () => {
    const spec: ParameterSpec = { type: "expression", default: "x", variables: ["x"], description: "" };
    expect(() => convertParameter(spec, "x + z", "V")).toThrow(/uses z; it may use x/);
    expect(() => convertParameter(spec, "x +* 2", "V")).toThrow(/invalid expression/);
    expect(() => convertParameter(spec, "a = 3", "V")).toThrow(/assignment/);
    const sqrt = convertParameter(spec, "sqrt(x)", "V") as Expression;
    expect(sqrt(4)).toBe(2);
    expect(() => sqrt(-1)).toThrow(/not a finite real number at x = -1/);
    expect(() => (convertParameter(spec, "1/x", "V") as Expression)(0)).toThrow(/not a finite real number/);
  });
});

describe("resolveParameters", () => {
  const specs = {
    sites: { type: "integer", default: 8, min: 2, description: "spins" },
    alpha: { type: "number", default: 1, description: "decay" },
  } as const satisfies Record<string, ParameterSpec>;

  it("fills defaults and applies overrides", () => {
    expect(resolveParameters(specs, {}, "p")).toEqual({ sites: 8, alpha: 1 });
    expect(resolveParameters(specs, { alpha: "0.5", sites: 4 }, "p")).toEqual({ sites: 4, alpha: 0.5 });
  });

  it("names the problem and the parameter in every error", () => {
    expect(() => resolveParameters(specs, { beta: "1" }, "ising")).toThrow(/problem ising has no parameter "beta"; its parameters: sites, alpha/);
    expect(() => resolveParameters(specs, { sites: "1" }, "ising")).toThrow(/problem ising, parameter sites: expected a value in \[2, ∞\)/);
    const e = (() => { try { resolveParameters(specs, { sites: "x" }, "ising"); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(ArgumentError);
  });

  it("splits key=value assignments, keeping '=' inside values", () => {
    expect(parseParameterAssignments(["a=1", "V = x==1 ? 1 : 0"])).toEqual({ a: "1", V: "x==1 ? 1 : 0" });
    expect(() => parseParameterAssignments(["a"])).toThrow(/key=value/);
    expect(() => parseParameterAssignments(["a=1", "a=2"])).toThrow(/given twice/);
  });

  it("checks a plugin's declarations, defaults included", () => {
    expect(() => checkParameterSpecs({ n: { type: "integer", default: 1, min: 2, description: "" } }, "p")).toThrow(/parameter n: the default is invalid/);
    expect(() => checkParameterSpecs({ n: { type: "float", default: 1, description: "" } as never }, "p")).toThrow(/type must be one of/);
    expect(() => checkParameterSpecs({ "bad name": { type: "number", default: 1, description: "" } }, "p")).toThrow(/identifier/);
  });
});
