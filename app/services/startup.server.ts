/** What the server does once when it starts: check the environment, migrate, seed the demo. */
import { closeDb } from "../../db/connection";
import { getEnv } from "../config/env.server";
import { db } from "./db.server";
import { seedDemoData } from "./seed.server";

export interface StartupReport {
  env: { port: number; host: string; baseUrl: string; dataDir: string; demoMode: boolean; nodeEnv: string; cookieSecure: boolean; trustProxy: boolean; logRequests: boolean };
  seeded: string[];
}

export async function startup(): Promise<StartupReport> {
  const env = getEnv();
  db(); // opens the database and applies pending migrations
  const seeded = env.demoMode ? (await seedDemoData()).created : [];
  const { port, host, baseUrl, dataDir, demoMode, nodeEnv, cookieSecure, trustProxy, logRequests } = env;
  return { env: { port, host, baseUrl, dataDir, demoMode, nodeEnv, cookieSecure, trustProxy, logRequests }, seeded };
}

export function shutdown(): void {
  closeDb();
}
