/** A command-line usage mistake found by an option check (exit status 2, like yargs' own). */
export class UsageError extends Error {
  override name = "UsageError";
}
