/**
 * Checkpoints of a problem run: a directory with the state after step k (`state-<k>.<ext>`) and
 * `progress.json`, which names that state file and holds everything recorded so far. The state is
 * written first and `progress.json` atomically after it, so a run killed at any moment leaves a
 * directory whose `progress.json` points at a complete state; older state files are removed only
 * after the new `progress.json` is in place.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError, FormatError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";

/** The format tag of `progress.json`. */
export const CHECKPOINT_FORMAT = "arbor-checkpoint/1";

/** What `progress.json` holds besides the state. */
export interface CheckpointProgress<R> {
  format: typeof CHECKPOINT_FORMAT;
  /** Steps completed; the state file holds the state at t = stepsDone·h. */
  stepsDone: number;
  stateFile: string;
  /** The run's identity: a resumed run must have the same (problem, parameters, settings, seed). */
  identity: unknown;
  /** The partial result recorded so far. */
  result: R;
}

/** Writes a checkpoint after `stepsDone` steps (internal; test/problems/checkpoint.test.ts). */
export function writeCheckpoint<R>(dir: string, stepsDone: number, extension: string, state: Uint8Array, identity: unknown, result: R): void {
  mkdirSync(dir, { recursive: true });
  const stateFile = `state-${String(stepsDone).padStart(6, "0")}.${extension}`;
  writeFileAtomic(join(dir, stateFile), state);
  const progress: CheckpointProgress<R> = { format: CHECKPOINT_FORMAT, stepsDone, stateFile, identity, result };
  writeFileAtomic(join(dir, "progress.json"), new TextEncoder().encode(JSON.stringify(progress) + "\n"));
  for (const name of readdirSync(dir)) {
    if (name !== stateFile && /^state-\d+\./.test(name)) unlinkSync(join(dir, name));
  }
}

/**
 * Reads the checkpoint in `dir`.
 *
 * @throws {@link ArgumentError} if `dir` has no checkpoint; {@link FormatError} if it is malformed.
 */
export function readCheckpoint<R>(dir: string): { progress: CheckpointProgress<R>; state: Uint8Array } {
  const path = join(dir, "progress.json");
  if (!existsSync(path)) throw new ArgumentError(`--resume ${dir}: no checkpoint there (no progress.json)`);
  let progress: CheckpointProgress<R>;
  try {
    progress = JSON.parse(readFileSync(path, "utf8")) as CheckpointProgress<R>;
  } catch (e) {
    throw new FormatError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (progress?.format !== CHECKPOINT_FORMAT || !Number.isSafeInteger(progress.stepsDone) || typeof progress.stateFile !== "string") {
    throw new FormatError(`${path}: not an ${CHECKPOINT_FORMAT} file`);
  }
  const statePath = join(dir, progress.stateFile);
  if (!existsSync(statePath)) throw new FormatError(`${path}: its state file ${progress.stateFile} is missing`);
  return { progress, state: readFileSync(statePath) };
}
