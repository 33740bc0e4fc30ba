/**
 * Atomic file replacement, shared by every arbor writer (`.npy` tensors, TTN checkpoints).
 *
 * A checkpoint that is half written when a long run is killed is worse than none: it looks like
 * a file but cannot be read. Writing a temporary file next to the target, flushing it and
 * renaming it over the target means readers see either the old file or the complete new one.
 * @module
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/**
 * Writes `bytes` to `path` atomically: the bytes go to a temporary file in the same directory
 * (rename is only atomic within one file system), are flushed to disk, and the file is renamed
 * over the target. The temporary file is removed if anything fails, and the original error is
 * rethrown (e.g. `ENOENT` for a missing directory). After the rename the directory itself is
 * flushed where the platform allows it, so that the new name survives a crash as well.
 *
 * Internal helper: not part of the package's public API.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeDurably(temp, bytes);
    renameSync(temp, path);
  } catch (e) {
    removeQuietly(temp);
    throw e;
  }
  syncDirectoryQuietly(dirname(path));
}

function writeDurably(path: string, bytes: Uint8Array): void {
  // "wx": never clobber an existing file should the random name ever collide.
  const fd = openSync(path, "wx");
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // The temporary file may never have been created; the original error is the one to report.
  }
}

function syncDirectoryQuietly(dir: string): void {
  // The file is already complete and in place; a directory fsync only hardens the rename
  // against power loss. Some platforms (Windows) cannot open or fsync a directory: the write
  // has still succeeded there, so failures are not reported.
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // best effort, see above
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing useful to do with a failed close of a read-only directory handle
      }
    }
  }
}
