// kill -9 one of three real node processes (deploy/cluster.sh: PostgreSQL + nodes) while clients publish through all of
// them and devices are connected to all of them. Afterwards every acknowledged publish is there with a gap-free sequence,
// and every device, after reconnecting to a survivor and calling Sync, holds exactly the full change feed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as signalR from "@microsoft/signalr";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "deploy", "cluster.sh");
const basePort = 5600 + Math.floor(Math.random() * 300);
const env = { ...process.env, CLUSTER_DIR: mkdtempSync(join(tmpdir(), "cluster-e2e-")), BASE_PORT: String(basePort),
  CONFIGURATION: process.env.CONFIGURATION ?? "Debug", SKIP_BUILD: "1", ADMIN_KEY: "failover-admin-key" };
const urls = [1, 2, 3].map(i => `http://127.0.0.1:${basePort + i}`);
const cluster = (...args) => execFileSync(script, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

before(() => cluster("start", "3"));
after(() => cluster("stop"));

async function call(url, method, path, { token, json, form } = {}) {
  const response = await fetch(url + path, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json ? { "content-type": "application/json" } : {}) },
    body: json ? JSON.stringify(json) : form ? new URLSearchParams(form) : undefined, signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A device that, when its node goes away or closes it, reconnects to a live node and catches up with Sync. */
function device(token, firstNode) {
  const d = { live: [], synced: [], last: 0, node: firstNode, reconnects: 0, closed: false };
  const connect = async () => {
    for (let attempt = 0; !d.closed; attempt++) {
      const url = urls[(d.node + attempt) % urls.length];
      const connection = new signalR.HubConnectionBuilder()
        .withUrl(`${url}/hubs/notifications`, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets })
        .configureLogging(signalR.LogLevel.None).build();
      connection.on("change", change => { d.live.push(change.sequence); d.last = Math.max(d.last, change.sequence); });
      // Only the established connection reconnects when it closes; a failed attempt is retried by this loop alone.
      connection.onclose(() => { if (!d.closed && d.connection === connection) { d.connection = undefined; d.reconnects++; setTimeout(connect, 100); } });
      try {
        await connection.start();
        for (;;) {
          const page = await connection.invoke("Sync", d.last);
          for (const change of page.value) { d.synced.push(change.sequence); d.last = Math.max(d.last, change.sequence); }
          if (!page.hasMore) break;
        }
        d.connection = connection;
        d.node = urls.indexOf(url);
        return;
      } catch {
        await connection.stop().catch(() => {});
        await new Promise(resolve => setTimeout(resolve, 200));
      }
    }
  };
  d.ready = connect();
  return d;
}

test("kill -9 of a node mid-load loses nothing acknowledged, and every device ends with the full feed", { timeout: 120_000 }, async () => {
  const admin = "failover-admin-key";
  const created = (await call(urls[0], "POST", "/v1/admin/apps", { token: admin, json: {} })).body;
  const appToken = (await call(urls[0], "POST", "/v1/oauth2/token", {
    form: { grant_type: "client_credentials", client_id: created.clientId, client_secret: created.clientSecret } })).body.access_token;
  const users = Array.from({ length: 24 }, (_, i) => `user-${i}`);
  const devices = [];
  for (const [i, user] of users.slice(0, 12).entries()) {
    const token = (await call(urls[0], "POST", `/v1/users/${user}/tokens`, { token: appToken })).body.token;
    devices.push({ user, d: device(token, i % 3) });
  }
  await Promise.all(devices.map(x => x.d.ready));

  const acknowledged = [];
  let failed = 0;
  let dead = -1;
  let publishes = 0;
  const publish = async (user, node) => {
    const title = `n-${publishes++}`;
    try {
      const response = await call(urls[node], "POST", `/v1/users/${user}/notifications`, { token: appToken, json: { payload: { visualContent: { title } } } });
      if (response.status === 201) { acknowledged.push({ user, id: response.body.id, sequence: response.body.sequence }); return true; }
    } catch { /* not acknowledged: the node was killed or the call timed out */ }
    failed++;
    return false;
  };

  const started = Date.now();
  let killedAt;
  const workers = Array.from({ length: 6 }, async (_, w) => {
    for (let n = w; Date.now() - started < 6000; n += 6) {
      const node = n % 3;
      if (node === dead) continue;
      await publish(users[n % users.length], node);
    }
  });
  await new Promise(resolve => setTimeout(resolve, 2000));
  cluster("kill", "3");
  killedAt = Date.now();
  dead = 2;
  await Promise.all(workers);

  // Recovered when every user can be published to again (through the survivors).
  for (;;) {
    const results = await Promise.all(users.map((user, i) => publish(user, i % 2)));
    if (results.every(Boolean)) break;
    assert.ok(Date.now() - killedAt < 30_000, "the cluster did not recover within 30 s");
  }
  const recoveredIn = (Date.now() - killedAt) / 1000;

  let lost = 0;
  const finalSequence = {};
  for (const user of users) {
    const feed = [];
    for (let since = 0, more = true; more;) {
      const page = (await call(urls[0], "GET", `/v1/users/${user}/changes?since=${since}&top=1000`, { token: appToken })).body;
      feed.push(...page.value);
      since = page.nextSince;
      more = page.hasMore;
    }
    assert.deepEqual(feed.map(c => c.sequence), feed.map((_, i) => i + 1), `${user}: the feed is gap-free`);
    finalSequence[user] = feed.length;
    for (const ack of acknowledged.filter(a => a.user === user)) {
      if (feed[ack.sequence - 1]?.notificationId !== ack.id) lost++;
    }
  }

  // Devices reconnect where needed and catch up; then each holds every change of its user, and none came live twice.
  // (Sync answers as GET /changes does, so it may repeat a change that also came live while the device caught up.)
  const deadline = Date.now() + 30_000;
  while (devices.some(({ user, d }) => d.last < finalSequence[user]) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  for (const { user, d } of devices) {
    const held = [...new Set([...d.live, ...d.synced])].sort((a, b) => a - b);
    assert.deepEqual(held, Array.from({ length: finalSequence[user] }, (_, i) => i + 1), `${user}: every change on the device`);
    assert.equal(new Set(d.live).size, d.live.length, `${user}: no change came live twice`);
  }

  console.log(`failover: ${acknowledged.length} acknowledged, lost ${lost}, not acknowledged ${failed}, recovered in ${recoveredIn.toFixed(1)} s ` +
    `after kill -9; ${devices.reduce((n, x) => n + x.d.reconnects, 0)} device reconnects`);
  assert.equal(lost, 0);
  assert.ok(recoveredIn <= 12, `recovered in ${recoveredIn} s (lease 8 s)`);
  for (const { d } of devices) { d.closed = true; await d.connection?.stop(); }
});
