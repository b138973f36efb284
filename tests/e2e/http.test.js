// The HTTP contract where only the real server can show it: Kestrel's own body limit with chunked bodies (the in-memory
// test server has none), and the clock running between the request handler and the user's grain.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { startServer, newUserId } from "./support/server.js";

let server;
let app;

before(async () => {
  server = await startServer();
  app = await server.createApp();
});

after(async () => {
  await server?.stop();
});

/** POSTs `body` with Transfer-Encoding: chunked, in chunks of `chunkSize` bytes (each write is one chunk on the wire). */
function postChunked(path, body, chunkSize) {
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${app.token}`, "content-type": "application/json", "transfer-encoding": "chunked" },
    }, response => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", chunk => { text += chunk; });
      response.on("end", () => resolve({ status: response.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    for (let at = 0; at < body.length; at += chunkSize) {
      req.write(body.subarray(at, at + chunkSize));
    }
    req.end();
  });
}

/** A publish body of exactly `size` bytes: JSON padded with trailing spaces. */
function bodyOf(size) {
  const json = JSON.stringify({ payload: { rawContent: "padded" } });
  return Buffer.from(json + " ".repeat(size - Buffer.byteLength(json)));
}

test("a chunked body of exactly 64 KiB is accepted, in one chunk or in many small ones", async () => {
  for (const chunkSize of [65_536, 100]) {
    const response = await postChunked(`/v1/users/${newUserId()}/notifications`, bodyOf(65_536), chunkSize);
    assert.equal(response.status, 201, `chunks of ${chunkSize}: ${JSON.stringify(response.body)}`);
  }
});

test("a chunked body one byte over 64 KiB is 413 problem details, as with Content-Length", async () => {
  for (const chunkSize of [65_537, 1_000]) {
    const response = await postChunked(`/v1/users/${newUserId()}/notifications`, bodyOf(65_537), chunkSize);
    assert.equal(response.status, 413);
    assert.equal(response.body.status, 413);
    assert.match(response.body.type, /payload-too-large$/);
    assert.equal(response.body.title, "The body is too large.");
  }
  // Far past the limit, while the client is still sending: the same answer.
  // (under Kestrel's own 256 KiB backstop, which would reset the connection while the client still sends)
  const huge = await postChunked(`/v1/users/${newUserId()}/notifications`, bodyOf(200_000), 16_384);
  assert.equal(huge.status, 413);
  assert.equal(huge.body.title, "The body is too large.");
});

test("a notification published without an expiration expires exactly 30 days after its creation", async () => {
  const user = newUserId();
  for (let i = 0; i < 20; i++) {
    const published = await app.publish(user, { payload: { rawContent: `n${i}` } });
    const lifetime = Date.parse(published.expirationDateTime) - Date.parse(published.createdDateTime);
    assert.equal(lifetime, 30 * 24 * 3600 * 1000, `${published.createdDateTime} → ${published.expirationDateTime}`);
  }
});
