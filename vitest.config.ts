import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Numerical tests on 500×500 matrices take a few hundred milliseconds each; the default
    // 5 s is kept as a hang guard, raised only where a file says why.
    testTimeout: 20_000,
    pool: "forks",
    globalSetup: ["test/setup/build-dist.ts"],
  },
});
