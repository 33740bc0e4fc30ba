/**
 * Imported by a thread before it runs sweep points (`problems/run-point`): registers the task
 * and loads the problems it may name into the task's table — the built-in ones, and for a local
 * sweep of a problem file the file named by this module URL's `file` query (TypeScript allowed:
 * the thread installs arbor's module hooks first, as the `arbor` command does).
 *
 * Its top-level `await` is why no module of the library imports it: a problem module imports
 * the library, which must not wait on this module. Threads import it by URL — pool threads as
 * the sweep task's module, queue job threads through `backend/queue/job-modules.js`.
 * @module
 */
import { loadCliProblem } from "../cli/problem-files.js";
import { loadSweepProblems } from "./sweep-task.js";

const file = new URL(import.meta.url).searchParams.get("file");
await loadSweepProblems(file ?? undefined, loadCliProblem);
