/**
 * A queue worker's tensors by blob hash: each fetched from Redis once, checked against its
 * hash, and kept (least recently used first out beyond a byte budget). A hash names its
 * content forever, so a cached tensor is never stale; concurrent jobs that need the same blob
 * share one fetch.
 * @module
 */
import type { Tensor } from "../../linalg/tensor.js";
import { tensorFromBlob } from "./blob.js";

/** Thrown when Redis does not have a blob (lost in a restart: the submitter stores it again). */
export class MissingBlobError extends Error {
  constructor(hash: string) {
    super(`tensor blob ${hash.slice(0, 12)}… is not in Redis (lost in a restart? the submitting search stores it again)`);
    this.name = "MissingBlobError";
  }
}

/** Fetched tensors by hash, within a byte budget. */
export class BlobCache {
  // Map order is use order: a hit moves its entry to the end, eviction takes from the front.
  private readonly entries = new Map<string, Promise<Tensor>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  /** Blobs fetched from Redis so far, and their bytes. */
  readonly fetched = { blobs: 0, bytes: 0 };

  /**
   * `fetch` returns a blob's bytes, or null if Redis does not have it; `onFetch` is told of
   * every fetch (for the worker's log).
   */
  constructor(
    private readonly fetch: (hash: string) => Promise<Uint8Array | null>,
    private readonly maxBytes: number,
    private readonly onFetch: (hash: string, bytes: number) => void = () => {},
  ) {}

  /**
   * The tensor of `hash`.
   *
   * @throws {@link MissingBlobError} if Redis does not have it; a FormatError if its bytes do
   * not match the hash.
   */
  get(hash: string): Promise<Tensor> {
    const hit = this.entries.get(hash);
    if (hit !== undefined) {
      this.entries.delete(hash);
      this.entries.set(hash, hit);
      return hit;
    }
    const loading = this.load(hash);
    this.entries.set(hash, loading);
    // A failed fetch is not cached: the next job asks Redis again.
    loading.catch(() => {
      if (this.entries.get(hash) === loading) this.entries.delete(hash);
    });
    return loading;
  }

  private async load(hash: string): Promise<Tensor> {
    const bytes = await this.fetch(hash);
    if (bytes === null) throw new MissingBlobError(hash);
    const tensor = tensorFromBlob(bytes, hash);
    this.fetched.blobs++;
    this.fetched.bytes += bytes.length;
    this.onFetch(hash, bytes.length);
    this.sizes.set(hash, bytes.length);
    this.bytes += bytes.length;
    this.evict(hash);
    return tensor;
  }

  // Drops the least recently used blobs beyond the budget (never the one just loaded).
  private evict(keep: string): void {
    for (const hash of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      const size = this.sizes.get(hash);
      if (hash === keep || size === undefined) continue;
      this.entries.delete(hash);
      this.sizes.delete(hash);
      this.bytes -= size;
    }
  }
}
