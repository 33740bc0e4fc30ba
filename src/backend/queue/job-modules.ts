/**
 * The module a queue worker's job threads import (see {@link queueJobModuleUrl}): every task of
 * the job catalogue registered, and the built-in problems that sweep points run loaded. Kept
 * apart from the catalogue because loading the problems is asynchronous (a top-level `await`
 * that imports the library), which the library's own modules must never wait on.
 * @module
 */
import "./job-catalogue.js";
import "../../problems/sweep-loader.js";
