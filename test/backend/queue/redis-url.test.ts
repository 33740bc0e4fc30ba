import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../src/errors.js";
import { parseRedisUrl, redactRedisUrl, redactSettings, redisLabel } from "../../../src/backend/queue/redis-url.js";
import { redactedCommand } from "../../../src/cli/queue-options.js";
import { captureError } from "../../helpers/reference.js";


describe("Redis URLs", () => {
  it("parse host, port, database, credentials and TLS", () => {
    expect(parseRedisUrl("redis://10.0.0.5")).toEqual({ host: "10.0.0.5", port: 6379, db: 0 });
    expect(parseRedisUrl("redis://bob:p%40ss@db.example:7000/3")).toEqual({ host: "db.example", port: 7000, db: 3, username: "bob", password: "p@ss" });
    expect(parseRedisUrl("rediss://:pw@db.example").tls).toEqual({ servername: "db.example" });
    expect(parseRedisUrl("redis://[::1]:6380").host).toBe("::1");
    // An address is checked against the certificate's IP entries: no server name for it.
    expect(parseRedisUrl("rediss://127.0.0.1").tls).toEqual({});
    // TLS from the flag or a parameter; the CA and server name too.
    expect(parseRedisUrl("redis://db", { tls: true, caFile: "/ca.pem" }).tls).toEqual({ servername: "db", caFile: "/ca.pem" });
    expect(parseRedisUrl("redis://1.2.3.4?tls=true&servername=db.example&ca=/x.pem").tls).toEqual({ servername: "db.example", caFile: "/x.pem" });
    // The environment's password is used only when the URL has none.
    expect(parseRedisUrl("redis://db", { password: "env" }).password).toBe("env");
    expect(parseRedisUrl("redis://:url@db", { password: "env" }).password).toBe("url");
  });

  it("refuse bad URLs without quoting their password", () => {
    for (const [url, pattern] of [
      ["http://:hunter2@db", /redis:\/\/ or rediss:\/\//],
      ["redis://:hunter2@db:6379/x", /database "x"/],
      ["redis://:hunter2@db?timeout=3", /unknown parameter "timeout"/],
      ["redis://:hunter2@db?tls=yes", /tls=yes/],
      ["redis://:hunter2@db?ca=/x.pem", /does not use TLS/],
      ["not a url hunter2", /not a Redis URL/],
    ] as const) {
      const e = captureError(() => parseRedisUrl(url));
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(pattern);
      if (url.includes("@")) expect(e.message).not.toContain("hunter2");
    }
  });

  it("redact credentials in any text, keep the rest", () => {
    expect(redactRedisUrl("connecting to redis://u:hunter2@h:1/2 and rediss://:x@h2")).toBe("connecting to redis://u:***@h:1/2 and rediss://:***@h2");
    expect(redactRedisUrl("REDIS://hunter2@h")).toBe("REDIS://***@h");
    expect(redactRedisUrl("mail bob@example.org about redis://h:1")).toBe("mail bob@example.org about redis://h:1");
    const s = parseRedisUrl("redis://:p%2Fw@h");
    expect(redactSettings("WRONGPASS for p/w and p%2Fw", s)).toBe("WRONGPASS for *** and ***");
    expect(redisLabel(parseRedisUrl("rediss://:pw@[::1]:7/4"))).toBe("rediss://[::1]:7/4");
    expect(redactedCommand(["search", "t.npy", "--queue", "redis://:pw@h", "--queue=rediss://a:pw@h"])).toEqual(["search", "t.npy", "--queue", "redis://:***@h", "--queue=rediss://a:***@h"]);
  });
});
