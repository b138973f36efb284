// Live latency: publish (HTTP) → `change` on a connected device, and MarkRead on device A → `change` on device B.
// Open loop at a fixed rate: operations start on schedule whatever the server does, so a stall cannot hold the next one back
// (no coordinated omission). Latency counts from the moment an operation is sent; how late Node's timer started it is
// reported apart, as schedule lag.
// Uses the e2e suite's server launcher and the official @microsoft/signalr client (tests/e2e must be npm-installed).
// Usage: node benchmarks/live/latency.mjs [seconds=30] [publishRate=1000] [markReadRate=500] [users=100]
import { Agent, request } from "node:http";
import { startServer, newUserId } from "../../tests/e2e/support/server.js";
import { connectDevice } from "../../tests/e2e/support/devices.js";

const [seconds = 30, publishRate = 1000, markReadRate = 500, userCount = 100] = process.argv.slice(2).map(Number);
const warmup = 5;
// node:http with kept-alive connections: fetch costs this single-threaded generator several times more per request.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const server = await startServer({
  "Notifications:Storage:Synchronous": process.env.SYNCHRONOUS ?? "FULL", // durable, as deployed
  "Notifications:RateLimit:PermitsPerSecond": 0,
});
try {
  const app = await server.createApp();
  const users = [];
  for (let i = 0; i < userCount; i++) {
    const id = newUserId();
    const token = await app.userToken(id);
    users.push({ id, a: await connectDevice(server, token), b: await connectDevice(server, token), latest: null, pending: null });
  }
  console.log(`live-latency: ${userCount} users, 2 hub connections each (WebSockets), server synchronous=FULL, ${warmup} s warm-up then ${seconds} s per scenario`);

  // 1. publish → receive on device A
  const published = new Map(); // title -> scheduled time
  let measuring = false;
  let receiveLatencies = [];
  for (const user of users) {
    user.a.connection.on("change", change => {
      if (change.kind !== "created") return;
      const scheduled = published.get(change.notification.payload.visualContent.title);
      if (scheduled === undefined) return;
      published.delete(change.notification.payload.visualContent.title);
      user.latest = change.notification.id;
      if (measuring) receiveLatencies.push(performance.now() - scheduled);
    });
  }
  let counter = 0;
  const publishErrors = await openLoop(publishRate, warmup, seconds, on => { measuring = on; }, async () => {
    const user = users[counter % users.length];
    const title = `n-${counter++}`;
    published.set(title, performance.now());
    await post(`/v1/users/${user.id}/notifications`, app.token, JSON.stringify({ payload: { visualContent: { title } } }));
  });
  await sleep(500);
  report(`publish → live change at ${publishRate}/s`, receiveLatencies, publishErrors, published.size);

  // 2. MarkRead/MarkUnread on device A → the `updated` change on device B
  let syncLatencies = [];
  for (const user of users) {
    user.b.connection.on("change", change => {
      if (change.kind === "updated" && user.pending && change.notificationId === user.latest
          && change.notification.readState === user.pending.state) {
        if (measuring) syncLatencies.push(performance.now() - user.pending.scheduled);
        user.pending = null;
      }
    });
  }
  let turn = 0;
  let skipped = 0;
  const markErrors = await openLoop(markReadRate, warmup, seconds, on => { measuring = on; }, async () => {
    const user = users[turn++ % users.length];
    if (user.pending || !user.latest) { skipped++; return; }
    const state = user.state === "read" ? "unread" : "read";
    user.state = state;
    user.pending = { scheduled: performance.now(), state };
    await user.a.connection.invoke(state === "read" ? "MarkRead" : "MarkUnread", user.latest);
  });
  await sleep(500);
  report(`MarkRead on A → change on B at ${markReadRate}/s`, syncLatencies, markErrors, users.filter(u => u.pending).length, skipped);

  await Promise.all(users.flatMap(u => [u.a.connection.stop(), u.b.connection.stop()]));
} finally {
  await server.stop();
}

// Starts one operation per 1/rate s; `measure(true)` after the warm-up. Returns how many operations failed.
async function openLoop(rate, warmupSeconds, measureSeconds, measure, operation) {
  let errors = 0;
  const lag = [];
  const inFlight = new Set();
  const start = performance.now();
  const warmupEnd = start + warmupSeconds * 1000;
  const end = warmupEnd + measureSeconds * 1000;
  let issued = 0;
  measure(false);
  for (;;) {
    const now = performance.now();
    if (now >= end) break;
    if (now >= warmupEnd) measure(true);
    const due = Math.floor(((now - start) * rate) / 1000);
    for (; issued < due; issued++) {
      const scheduled = start + (issued * 1000) / rate;
      if (now >= warmupEnd) lag.push(performance.now() - scheduled);
      const op = operation().catch(error => { if (errors++ === 0) console.error(`first error: ${error.message}`); }).finally(() => inFlight.delete(op));
      inFlight.add(op);
    }
    await sleep(1);
  }
  measure(false);
  await Promise.all(inFlight);
  report("  schedule lag of the generator (how late operations started)", lag);
  return errors;
}

function report(name, latencies, errors, lost, skipped = 0) {
  const sorted = Float64Array.from(latencies).sort();
  const at = p => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(2) : "n/a");
  const outcome = errors === undefined ? "" : `; errors ${errors}, never received ${lost}${skipped ? `, skipped (previous still pending) ${skipped}` : ""}`;
  console.log(`${name}: ${sorted.length} measured, p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms${outcome}`);
}

function post(path, token, body) {
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, {
      method: "POST", agent,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, response => {
      response.resume();
      response.on("end", () => (response.statusCode === 201 ? resolve() : reject(new Error(`publish: ${response.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}
