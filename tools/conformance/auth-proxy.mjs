// A small header-adding proxy for the MCP conformance runner, which cannot send an
// Authorization header. It forwards every request to TARGET unchanged (method, path,
// Host, Origin and body included, so DNS-rebinding checks still reach the server) and adds
// `Authorization: Bearer $AIPROVIDERS_TOKEN`. Responses, SSE streams included, are piped back
// as they arrive. Prints `listening <port>` once ready.
import http from "node:http";

const target = new URL(process.env.TARGET);
const token = process.env.AIPROVIDERS_TOKEN;
if (!token) throw new Error("AIPROVIDERS_TOKEN is required");

const server = http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`proxy error: ${err.message}`);
  });
  // The client went away before the response was complete (an SSE stream it stopped
  // reading): stop the upstream request too.
  res.on("close", () => { if (!res.writableFinished) upstream.destroy(); });
  req.pipe(upstream);
});
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
