// Web Push from the real server to a loopback push service that decrypts with http_ece and verifies VAPID; and a retry that
// survives kill -9 of the server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, newUserId } from "./support/server.js";
import { startPushService, verifyVapid } from "./support/push-service.js";
import { notification } from "./support/devices.js";

let server;
let pushService;

before(async () => {
  pushService = await startPushService();
  // Loopback push endpoints are refused in production (no server-side request forgery); this test service is loopback.
  server = await startServer({ "Notifications:Push:WebPush:AllowInsecureEndpoints": "true", "Notifications:Runtime:ReminderPollInterval": "00:00:00.200" });
});

after(async () => {
  await server?.stop();
  await pushService?.close();
});

async function subscribe(app, user, browser) {
  return (await server.call("POST", `/v1/users/${user}/subscriptions`, {
    token: app.token, json: { platform: "webpush", webPush: { endpoint: browser.endpoint, keys: browser.keys } }, expect: 201,
  })).body;
}

async function deliveries(app, user, id) {
  return (await server.call("GET", `/v1/users/${user}/notifications/${id}/deliveries`, { token: app.token, expect: 200 })).body.value;
}

test("a publish reaches the browser's push service encrypted (aes128gcm) and signed (VAPID), and decrypts with http_ece", async () => {
  const app = await server.createApp();
  await app.configurePush("webpush", { subject: "mailto:ops@example.com" });
  const user = newUserId();
  const browser = pushService.newBrowser();
  const subscription = await subscribe(app, user, browser);
  const before = pushService.received.length;

  const published = await app.publish(user, notification("Your order shipped", {
    appNotificationId: "order-17", priority: "high", payload: { visualContent: { title: "Your order shipped" }, rawContent: "{\"order\":17}" },
  }));
  const request = (await pushService.waitFor(before + 1)).at(-1);

  assert.equal(request.method, "POST");
  assert.equal(request.path, browser.path);
  assert.equal(request.headers["content-encoding"], "aes128gcm");
  assert.equal(request.headers.urgency, "high");
  assert.match(request.headers.topic, /^[A-Za-z0-9_-]{1,32}$/);
  const ttl = Number(request.headers.ttl);
  assert.ok(ttl > 29 * 24 * 3600 && ttl <= 30 * 24 * 3600, `TTL ${ttl} is the time to expiry`);
  const claims = verifyVapid(request.headers.authorization, app.vapidPublicKey, new URL(browser.endpoint).origin);
  assert.equal(claims.sub, "mailto:ops@example.com");

  const entry = browser.decrypt(request.body);
  assert.deepEqual(
    { kind: entry.kind, notificationId: entry.notificationId, sequence: entry.sequence, raw: entry.notification.payload.rawContent },
    { kind: "created", notificationId: published.id, sequence: 1, raw: "{\"order\":17}" });

  // The push service answered; the outcome is recorded just after.
  await waitUntil(async () => (await deliveries(app, user, published.id))[0]?.status === "delivered");
  const [row] = await deliveries(app, user, published.id);
  assert.deepEqual([row.subscriptionId, row.platform, row.status, row.attempts], [subscription.id, "webpush", "delivered", 1]);

  // Replacing it sends again under the same Topic, so the browser shows one notification, not two.
  await app.publish(user, { appNotificationId: "order-17", payload: { visualContent: { title: "Your order arrived" } } });
  const replacement = (await pushService.waitFor(before + 2)).at(-1);
  assert.equal(replacement.headers.topic, request.headers.topic);
  assert.equal(browser.decrypt(replacement.body).kind, "updated");
});

test("the push service going away (410) makes the subscription invalid", async () => {
  const app = await server.createApp();
  const user = newUserId();
  const browser = pushService.newBrowser();
  await subscribe(app, user, browser);
  pushService.answer([410, {}]);
  const before = pushService.received.length;
  const published = await app.publish(user, notification("gone"));
  await pushService.waitFor(before + 1);

  await waitUntil(async () => (await deliveries(app, user, published.id))[0]?.status === "failed");
  const subscriptions = (await server.call("GET", `/v1/users/${user}/subscriptions`, { token: app.token, expect: 200 })).body.value;
  assert.equal(subscriptions[0].status, "invalid");
});

test("a retry that is due survives kill -9: the restarted server sends it", async () => {
  const app = await server.createApp();
  const user = newUserId();
  const browser = pushService.newBrowser();
  await subscribe(app, user, browser);
  pushService.answer([503, { "retry-after": "3" }]);
  const before = pushService.received.length;
  const published = await app.publish(user, notification("retry me"));
  await pushService.waitFor(before + 1);
  await waitUntil(async () => (await deliveries(app, user, published.id))[0]?.attempts === 1);

  await server.kill();
  await server.start();

  const [, retried] = (await pushService.waitFor(before + 2, 15_000)).slice(before);
  assert.equal(browser.decrypt(retried.body).notificationId, published.id);
  await waitUntil(async () => (await deliveries(app, user, published.id))[0]?.status === "delivered");
  const [row] = await deliveries(app, user, published.id);
  assert.equal(row.attempts, 2);
});

async function waitUntil(condition, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}
