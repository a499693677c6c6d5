// Every integration test file gets its own DATA_DIR (unit-env.ts), so each starts from a fresh SQLite
// file built from the migrations, with the modules' events wired as at start-up.
import { afterAll } from "vitest";
import "./unit-env";

// The modules' subscribers to domain events, as the server and the scripts wire them at start-up.
const { wireEvents } = await import("../../app/system/wiring.server");
wireEvents();

// Registered after unit-env's removal of the directory, so run before it: the database is closed first.
afterAll(async () => {
  const { closeDb } = await import("../../db/connection");
  closeDb();
});
