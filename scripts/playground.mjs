// Serves the built playground (dist-playground) on 127.0.0.1 and opens it in a browser when there is a display.
//
// Usage: npm run playground [-- --port 8020 --no-open]. The page needs no server (index.html opens from disk too);
// this only saves finding the file. Static files only, read from dist-playground, on the loopback address.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8020' }, 'no-open': { type: 'boolean', default: false } },
});
const ROOT = resolve('dist-playground');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const file = normalize(join(ROOT, path === '/' ? 'index.html' : path));
  const type = TYPES[extname(file)];
  if (!file.startsWith(`${ROOT}/`) || type === undefined) {
    res.writeHead(404).end('not found\n');
    return;
  }
  try {
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  } catch {
    res.writeHead(404).end('not found\n');
  }
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  console.log(`kubetasks playground: ${url} (or open ${join(ROOT, 'index.html')}); Ctrl-C stops it`);
  const display = process.env.DISPLAY !== undefined || process.env.WAYLAND_DISPLAY !== undefined;
  if (!values['no-open'] && (display || process.platform === 'darwin')) {
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
    spawn(opener, [url], { stdio: 'ignore', detached: true })
      .on('error', () => console.log(`(could not run ${opener}; open the address yourself)`))
      .unref();
  }
});
