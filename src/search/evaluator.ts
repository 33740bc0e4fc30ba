/**
 * One "evaluation" of the sampling search methods (TnALE, TNLS): fit a structure to the target
 * by ALS from a few seeded starts, keep the best, and score it by the papers' objective
 * parameters/entries + λ·RSE². Evaluations are cached by the structure's canonical key and counted.
 * @module
 */
import type { Rng } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import { fitNetwork } from "./fit/als.js";
import type { TensorNetwork } from "./network/network.js";
import type { NetworkStructure } from "./network/structure.js";

/** What the sampling searches return. */
export interface SearchResult {
  structure: NetworkStructure;
  network: TensorNetwork<"f64">;
  /** Relative error ‖X − Y‖/‖X‖ of the best structure's fit. */
  rse: number;
  parameters: number;
  /** parameters/entries + λ·RSE². */
  objective: number;
  /** Distinct structures fitted. */
  evaluations: number;
}

/** A scored structure. */
export interface Evaluation {
  structure: NetworkStructure;
  network: TensorNetwork<"f64">;
  rse: number;
  objective: number;
}

/** Settings of an evaluator. */
export interface EvaluatorSettings {
  lambda: number;
  restarts: number;
  fitSweeps: number;
}

/** A cached, counted evaluator for one target; the starts' seeds are drawn from `rng`. */
export function structureEvaluator(target: Tensor, settings: EvaluatorSettings, rng: Rng): { evaluate(structure: NetworkStructure): Evaluation; readonly count: number } {
  const entries = target.data.length;
  const cache = new Map<string, Evaluation>();
  let count = 0;
  return {
    get count() {
      return count;
    },
    evaluate(structure) {
      const key = structure.key();
      let e = cache.get(key);
      if (e === undefined) {
        count++;
        for (let k = 0; k < settings.restarts; k++) {
          const fit = fitNetwork(structure, target, { maxSweeps: settings.fitSweeps, targetRse: 1e-10, seed: Math.floor(rng.nextFloat64() * 2 ** 31) });
          const objective = structure.numParameters() / entries + settings.lambda * fit.rse ** 2;
          if (e === undefined || objective < e.objective) e = { structure, network: fit.network, rse: fit.rse, objective };
        }
        cache.set(key, e!);
      }
      return e!;
    },
  };
}
