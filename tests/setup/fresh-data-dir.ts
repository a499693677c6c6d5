// Every integration test file gets its own DATA_DIR (unit-env.ts), so each starts from a fresh SQLite
// file built from the migrations, with the modules' events wired as at start-up.
import { afterAll } from "vitest";
import "./unit-env";

// The modules' subscribers to domain events, as the server and the scripts wire them at start-up.
const { wireEvents } = await import("../../app/system/wiring.server");
wireEvents();

// Registered after unit-env's removal of the directory, so run before it: what a file's startup()
// began is stopped first (the workers, their runs in flight finishing, Litestream), then the
// database is closed, as the server does on SIGTERM. A file that never started the portal has only
// its database closed.
afterAll(async () => {
  const { shutdown } = await import("../../app/startup.server");
  await shutdown();
}, 30_000);
