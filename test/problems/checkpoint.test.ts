import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCheckpoint, writeCheckpoint } from "../../src/problems/checkpoint.js";
import { ArgumentError, FormatError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "arbor-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("checkpoints", () => {
  it("round-trip the state bytes and the partial result, keeping only the newest state file", () => {
    writeCheckpoint(dir, 3, "bin", new Uint8Array([1, 2, 3]), { id: 1 }, { t: [0, 1] });
    writeCheckpoint(dir, 6, "bin", new Uint8Array([4, 5]), { id: 1 }, { t: [0, 1, 2] });
    const back = readCheckpoint<{ t: number[] }>(dir);
    expect(back.progress.stepsDone).toBe(6);
    expect(Array.from(back.state)).toEqual([4, 5]);
    expect(back.progress.result.t).toEqual([0, 1, 2]);
    expect(readdirSync(dir).filter((f) => f.startsWith("state-"))).toEqual(["state-000006.bin"]);
  });

  it("say what is wrong with a missing or malformed checkpoint", () => {
    const empty = mkdtempSync(join(tmpdir(), "arbor-checkpoint-empty-"));
    expect(() => readCheckpoint(empty)).toThrow(ArgumentError);
    expect(() => readCheckpoint(empty)).toThrow(/no checkpoint there/);
    writeFileSync(join(empty, "progress.json"), "{ not json");
    expect(() => readCheckpoint(empty)).toThrow(FormatError);
    writeFileSync(join(empty, "progress.json"), JSON.stringify({ format: "arbor-checkpoint/1", stepsDone: 2, stateFile: "state-000002.bin" }));
    expect(() => readCheckpoint(empty)).toThrow(/state file state-000002.bin is missing/);
    rmSync(empty, { recursive: true, force: true });
  });
});
