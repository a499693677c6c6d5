// A static web server for a published folder (decision record 028), as a CDN or static host
// serves it: files by path (a folder's index.html for a path ending in "/"), with the headers the
// folder's _headers manifest (Netlify / Cloudflare Pages format) gives each path. It knows nothing
// of the portal: no database, no code of the portal's but the manifest's parser.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { headersFor, parseHeadersManifest } from "../../app/features/public/domain/publication";

export interface StaticServer {
  base: string;
  port: number;
  /** Every path asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 (`port` 0: a free one). The manifest is read on each request (it may be published later). */
export async function serveStatic(dir: string, port = 0): Promise<StaticServer> {
  const root = path.resolve(dir);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://static.invalid");
    requests.push(url.pathname);
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(url.pathname);
    } catch {
      return void res.writeHead(400).end();
    }
    const file = path.resolve(root, `.${urlPath.endsWith("/") ? `${urlPath}index.html` : urlPath}`);
    if (!file.startsWith(root + path.sep) || path.basename(file).startsWith("_")) return void res.writeHead(404).end();
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return void res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found.\n");
    }
    let manifest = "";
    try {
      manifest = fs.readFileSync(path.join(root, "_headers"), "utf8");
    } catch {
      // no manifest yet: types by extension only
    }
    const headers = headersFor(parseHeadersManifest(manifest), url.pathname);
    if (!headers["Content-Type"])
      headers["Content-Type"] = file.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream";
    res.writeHead(200, {
      ...headers,
      "Content-Length": bytes.length,
      "Last-Modified": fs.statSync(file).mtime.toUTCString(),
    });
    res.end(req.method === "HEAD" ? undefined : bytes);
  });
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  const actual = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
