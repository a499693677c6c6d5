/**
 * Machine-facing endpoints served straight from node:http, beside Remix (which costs about
 * 5x per request). Each handler answers and returns true, or returns false to pass the request on.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { db } from "./services/db.server";

export interface FastContext {
  ip: string;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
  return true;
}

export function fastRoutes(req: IncomingMessage, res: ServerResponse, _ctx: FastContext): boolean {
  const url = req.url ?? "/";
  if (url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    db().$client.prepare("select 1").get();
    return json(res, 200, { ok: true }, { "Cache-Control": "no-store" });
  }
  return false;
}
