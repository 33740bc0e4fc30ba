import { describe, expect, it } from "vitest";
import { FormatError } from "../../../src/errors.js";
import { tensorBlob } from "../../../src/backend/queue/blob.js";
import { BlobCache, MissingBlobError } from "../../../src/backend/queue/blob-cache.js";
import { fillTensor } from "../../helpers/reference.js";

// A fake Redis of blobs that counts the fetches of each hash.
function store(n: number) {
  const blobs = Array.from({ length: n }, (_, i) => tensorBlob(fillTensor([4, 4], "f64", i + 1)));
  const fetches = new Map<string, number>();
  const fetch = async (hash: string): Promise<Uint8Array | null> => {
    fetches.set(hash, (fetches.get(hash) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 5));
    return blobs.find((b) => b.hash === hash)?.bytes ?? null;
  };
  return { blobs, fetches, fetch };
}

describe("the worker's blob cache", () => {
  it("fetches a blob once, however many jobs need it at once", async () => {
    const s = store(1);
    const cache = new BlobCache(s.fetch, 2 ** 20);
    const all = await Promise.all(Array.from({ length: 8 }, () => cache.get(s.blobs[0]!.hash)));
    expect(all.every((t) => t === all[0])).toBe(true);
    await cache.get(s.blobs[0]!.hash);
    expect(s.fetches.get(s.blobs[0]!.hash)).toBe(1);
    expect(cache.fetched).toEqual({ blobs: 1, bytes: s.blobs[0]!.bytes.length });
  });

  it("drops the least recently used blobs beyond its budget", async () => {
    const s = store(3);
    const size = s.blobs[0]!.bytes.length;
    const cache = new BlobCache(s.fetch, 2 * size);
    const [a, b, c] = s.blobs.map((x) => x.hash);
    await cache.get(a!);
    await cache.get(b!);
    await cache.get(a!); // a is now the most recent
    await cache.get(c!); // evicts b
    await cache.get(a!);
    await cache.get(b!);
    expect([s.fetches.get(a!), s.fetches.get(b!), s.fetches.get(c!)]).toEqual([1, 2, 1]);
  });

  it("does not keep failures: a missing blob is asked for again, corrupt bytes are refused", async () => {
    const s = store(1);
    const missing = tensorBlob(fillTensor([2], "f64", 9)).hash;
    const cache = new BlobCache(s.fetch, 2 ** 20);
    await expect(cache.get(missing)).rejects.toThrow(MissingBlobError);
    await expect(cache.get(missing)).rejects.toThrow(/is not in Redis/);
    expect(s.fetches.get(missing)).toBe(2);
    const liar = new BlobCache(async () => s.blobs[0]!.bytes, 2 ** 20);
    await expect(liar.get(missing)).rejects.toThrow(FormatError);
  });
});
