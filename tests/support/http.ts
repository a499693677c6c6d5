// The real fast routes (app/fast-routes.server.ts) on 127.0.0.1, and sessions from a real login,
// for integration tests that talk HTTP or call a route's loader directly.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { login } from "../../app/features/accounts/auth.server";
import { startSessionAndRedirect } from "../../app/features/accounts/session.server";
import { fastRoutes } from "../../app/fast-routes.server";
import { DEMO_PASSWORD } from "../../app/demo/seed.server";

export interface TestServer {
  /** e.g. http://127.0.0.1:40123 */
  base: string;
  close(): Promise<void>;
}

/** Serves the fast routes on a free port of 127.0.0.1; anything else answers 404. */
export async function startFastRoutes(): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    if (!fastRoutes(req, res, { ip: "127.0.0.1" })) res.writeHead(404).end();
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The session cookie ("name=value") of a real login as this user (the demo password by default). */
export async function sessionCookie(email: string, ip: string, password = DEMO_PASSWORD): Promise<string> {
  const { token, user } = await login({ email, password }, { ip });
  return (await startSessionAndRedirect(token, user.role, "/")).headers.get("Set-Cookie")!.split(";")[0];
}
