import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * Child process of bench/run.ts: the ceiling a static server could reach. Serves, per path, the
 * exact response bodies the app produced (identity, gzip and br variants, fetched from the app by
 * run.ts and passed here through a JSON manifest in a temp dir), pre-compressed and held in memory.
 * Negotiates like the app (br before gzip, identity otherwise), so the same request gets the same
 * body bytes from both servers. Prints {"port": n} as its first stdout line.
 */
interface Variant {
  encoding: 'identity' | 'gzip' | 'br';
  file: string;
  contentType: string;
}
const manifestFile = process.argv[2];
if (!manifestFile) {
  console.error('usage: serve-baseline.ts manifest.json');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, Variant[]>;
const routes = new Map<string, Map<string, { body: Buffer; contentType: string }>>();
for (const [path, variants] of Object.entries(manifest)) {
  routes.set(path, new Map(variants.map((v) => [v.encoding, { body: readFileSync(v.file), contentType: v.contentType }])));
}

const server = createServer((req, res) => {
  const variants = routes.get(req.url ?? '');
  if (!variants) {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
    return;
  }
  const accept = String(req.headers['accept-encoding'] ?? '');
  const encoding = /\bbr\b/.test(accept) && variants.has('br') ? 'br' : /\bgzip\b/.test(accept) && variants.has('gzip') ? 'gzip' : 'identity';
  const v = variants.get(encoding)!;
  const headers: Record<string, string | number> = { 'content-type': v.contentType, 'content-length': v.body.length, vary: 'Accept-Encoding' };
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  res.writeHead(200, headers);
  res.end(v.body);
});
server.keepAliveTimeout = 72_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 1000).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
